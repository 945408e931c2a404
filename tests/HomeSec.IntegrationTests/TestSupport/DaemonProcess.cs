using System.Diagnostics;
using System.Text;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>The real <c>homesec</c> executable as a child process, with its output captured.</summary>
public sealed class DaemonProcess : IDaemon, IAsyncDisposable
{
    private const int MaxOutputChars = 4_000_000;
    private const int KeptHeadChars = 200_000;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DaemonProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    public static DaemonProcess Start(string workingDirectory, params string[] arguments) =>
        Start(workingDirectory, new Dictionary<string, string>(), arguments);

    public static DaemonProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartUnder(null, workingDirectory, environment, arguments);

    /// <param name="parent">A program that starts homesec as its child and stays its parent (e.g. a shell copied under
    /// the name <c>systemd</c>, which is how .NET recognises a systemd service); null starts homesec directly.</param>
    public static DaemonProcess StartUnder(string? parent, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartUnder(parent, workingDirectory, environment, null, arguments);

    /// <summary>Starts homesec inside a network namespace (<c>ip netns exec NAME</c>, which execs it: the process is homesec itself, so a kill reaches it).</summary>
    public static DaemonProcess StartInNamespace(string networkNamespace, string workingDirectory, params string[] arguments) =>
        StartUnder(null, workingDirectory, new Dictionary<string, string>(), null, arguments, ["netns", "exec", networkNamespace, "dotnet"]);

    private static DaemonProcess StartUnder(
        string? parent, string workingDirectory, IReadOnlyDictionary<string, string> environment, string? standardInput, string[] arguments, string[]? ipPrefix = null)
    {
        var startInfo = new ProcessStartInfo(ipPrefix is not null ? "ip" : parent ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        foreach (var argument in ipPrefix ?? [])
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (parent is not null)
        {
            // sh -c 'dotnet "$0" "$@"' homesec.dll ARGS: the shell waits for dotnet instead of becoming it.
            startInfo.ArgumentList.Add("-c");
            startInfo.ArgumentList.Add("dotnet \"$0\" \"$@\"; exit $?");
        }

        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "homesec.dll"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start homesec");
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }

        return new DaemonProcess(process);
    }

    /// <summary>Runs homesec to completion (e.g. <c>validate</c>) and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunToEndAsync(string workingDirectory, params string[] arguments) =>
        RunToEndAsync(workingDirectory, new Dictionary<string, string>(), arguments);

    public static Task<(int ExitCode, string Output)> RunToEndAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunToEndWithInputAsync(workingDirectory, environment, null, arguments);

    /// <param name="standardInput">Typed into the command (e.g. a password for <c>--password-stdin</c>); null: none.</param>
    public static async Task<(int ExitCode, string Output)> RunToEndWithInputAsync(
        string workingDirectory, IReadOnlyDictionary<string, string> environment, string? standardInput, params string[] arguments)
    {
        await using var daemon = StartUnder(null, workingDirectory, environment, standardInput, arguments);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await daemon._process.WaitForExitAsync(timeout.Token);
        daemon._process.WaitForExit();
        return (daemon.ExitCode, daemon.Output);
    }

    /// <summary>Sends SIGTERM (what Docker and systemd send) and waits for a graceful exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process dies at once, as in a power cut of the process (kill -9).</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public bool HasExited => _process.HasExited;

    public Task WaitForExitAsync() => _process.WaitForExitAsync();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public static int FreeTcpPort() => LoopbackPort.Free();

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            // A daemon that logs in a loop must not take the test process down with it: keep the start and the latest.
            if (_output.Length > MaxOutputChars)
            {
                _output.Remove(KeptHeadChars, _output.Length - MaxOutputChars / 2);
                _output.Insert(KeptHeadChars, $"{Environment.NewLine}[... output cut: more than {MaxOutputChars:N0} characters ...]{Environment.NewLine}");
            }
        }
    }
}
