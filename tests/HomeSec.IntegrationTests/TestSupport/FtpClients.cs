using System.Diagnostics;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>Real FTP clients (curl, Python's ftplib, lftp) run as processes, with what they printed and their exit code.</summary>
public static class FtpClients
{
    public sealed record Result(int ExitCode, string Output);

    public static Process Start(string file, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException($"{file} could not be started");
    }

    public static async Task<Result> RunAsync(string file, params string[] arguments)
    {
        using var process = Start(file, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output + await errors);
    }

    /// <summary>Runs a Python script with ftplib already connected as <c>ftp</c> (not logged in) to the port.</summary>
    public static Task<Result> PythonAsync(int port, string script) =>
        RunAsync("/usr/bin/python3", "-c", $"import ftplib, io, sys\nftp = ftplib.FTP()\nftp.connect('127.0.0.1', {port}, timeout=20)\n{script}");
}
