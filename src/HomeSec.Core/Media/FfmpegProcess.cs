using System.ComponentModel;
using System.Diagnostics;

namespace HomeSec.Core.Media;

/// <summary>Runs ffmpeg or ffprobe as a child process; cancelling kills it.</summary>
internal static class FfmpegProcess
{
    public sealed record Output(int ExitCode, byte[] StandardOutput, string StandardError);

    public static async Task<Output> RunAsync(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot start {executable}: {ex.Message} (is ffmpeg installed and on PATH?)", ex);
        }

        process.StandardInput.Close();
        await using var killOnCancel = cancellationToken.Register(() => Kill(process));
        using var standardOutput = new MemoryStream();
        // The reads end when the process exits or is killed, so they need no token of their own.
        var readOutput = process.StandardOutput.BaseStream.CopyToAsync(standardOutput, CancellationToken.None);
        var readError = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await Task.WhenAll(readOutput, readError);
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        return new Output(process.ExitCode, standardOutput.ToArray(), await readError);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }
}
