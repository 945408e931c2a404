using System.Diagnostics;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>
/// A real PostgreSQL 15 server from the machine's binaries, in a temporary data folder, on a free
/// 127.0.0.1 port. It refuses to run as root, so as root it runs as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private readonly string _folder;

    private PostgresServer(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=homesec;Database=homesec;Timeout=5;Command Timeout=10";

    private string DataDirectory => Path.Combine(_folder, "data");

    /// <param name="password">When given, TCP logins need it (scram-sha-256); <see cref="ConnectionString"/> still carries none.</param>
    public static async Task<PostgresServer> StartAsync(string? password = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"homesec-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var server = new PostgresServer(folder, DaemonProcess.FreeTcpPort());
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres", folder]);
        }

        string[] authentication = ["--auth=trust"];
        if (password is not null)
        {
            var passwordFile = Path.Combine(folder, "password");
            await File.WriteAllTextAsync(passwordFile, password + "\n");
            if (IsRoot)
            {
                await RunAsync("chown", ["postgres", passwordFile]);
            }

            // The local socket stays open without one, for createdb below.
            authentication = ["--auth-local=trust", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}"];
        }

        await server.RunAsPostgresAsync("initdb", ["-D", server.DataDirectory, "-U", "homesec", .. authentication, "--no-sync"]);
        await server.StartServerAsync();
        await server.RunAsPostgresAsync("createdb", ["-h", password is null ? "127.0.0.1" : folder, "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "homesec", "homesec"]);
        return server;
    }

    public Task StartServerAsync() => RunAsPostgresAsync("pg_ctl",
        ["-D", DataDirectory, "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off", "-l", Path.Combine(_folder, "server.log"), "-w", "start"]);

    /// <summary>Stops the server at once, like a crash or a pulled cable (no clean shutdown).</summary>
    public Task StopServerAsync() => RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        Directory.Delete(_folder, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunAsPostgresAsync(string tool, string[] arguments)
    {
        var command = Path.Combine(BinDirectory, tool);
        return IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", command, .. arguments])
            : RunAsync(command, arguments);
    }

    private static async Task RunAsync(string fileName, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output} {await errors}");
        }
    }
}
