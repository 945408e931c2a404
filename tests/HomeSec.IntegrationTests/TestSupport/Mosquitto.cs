using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>
/// A real mosquitto broker (Debian's package) on a free 127.0.0.1 port, anonymous or with a password
/// file, started and stopped by the test. It can be killed and started again on the same port.
/// </summary>
public sealed class Mosquitto : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"homesec-mosquitto-{Guid.NewGuid():N}");
    private readonly StringBuilder _output = new();
    private Process? _process;

    private Mosquitto(int port, (string User, string Password)? credentials)
    {
        Port = port;
        Directory.CreateDirectory(_dir);
        var config = new StringBuilder()
            .AppendLine($"listener {port} 127.0.0.1")
            .AppendLine("persistence false")
            .AppendLine("log_dest stderr")
            .AppendLine("log_type all")
            // Started as root, mosquitto drops to its own user, which could not read the password file.
            .AppendLine("user root");
        if (credentials is { } c)
        {
            var passwordFile = Path.Combine(_dir, "passwords");
            Run("mosquitto_passwd", "-b", "-c", passwordFile, c.User, c.Password);
            config.AppendLine("allow_anonymous false").AppendLine($"password_file {passwordFile}");
        }
        else
        {
            config.AppendLine("allow_anonymous true");
        }

        File.WriteAllText(ConfigFile, config.ToString());
    }

    public int Port { get; }

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

    private string ConfigFile => Path.Combine(_dir, "mosquitto.conf");

    public static Mosquitto StartAnonymous() => new Mosquitto(DaemonProcess.FreeTcpPort(), null).Start();

    public static Mosquitto StartWithPassword(string user, string password) => new Mosquitto(DaemonProcess.FreeTcpPort(), (user, password)).Start();

    public Mosquitto Start()
    {
        var info = new ProcessStartInfo(Executable(), ["-c", ConfigFile])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!Accepts(Port))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"mosquitto did not listen on {Port}:{Environment.NewLine}{Output}");
            }

            Task.Delay(20).Wait();
        }

        return this;
    }

    /// <summary>Like a crash or a power cut: SIGKILL, no goodbye to the clients.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Executable() =>
        new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("mosquitto is not installed: run 'bash .ci/run' (apt-get install mosquitto mosquitto-clients)");

    private static void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"{file} did not start");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {process.StandardError.ReadToEnd()}");
        }
    }
}
