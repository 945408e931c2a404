using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>
/// A real SMTP server that keeps what it receives: Debian's python3-aiosmtpd with its Maildir handler,
/// on a free 127.0.0.1 port, started and stopped by the test.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"homesec-smtp-{Guid.NewGuid():N}");
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private SmtpSink(int port)
    {
        Port = port;
        Directory.CreateDirectory(_dir);
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        _process = Process.Start(new ProcessStartInfo(python, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", MailDir])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("python3 -m aiosmtpd did not start");
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Port { get; }

    private string MailDir => Path.Combine(_dir, "maildir");

    public static async Task<SmtpSink> StartAsync()
    {
        var sink = new SmtpSink(DaemonProcess.FreeTcpPort());
        await Eventually.WaitForAsync(() => sink._process.HasExited || Accepts(sink.Port), TimeSpan.FromSeconds(15), "the SMTP sink to listen", () => sink.Output);
        if (sink._process.HasExited)
        {
            throw new InvalidOperationException($"the SMTP sink (python3-aiosmtpd; 'bash .ci/run' installs it) exited:{Environment.NewLine}{sink.Output}");
        }

        return sink;
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

    public IReadOnlyList<MimeMessage> Messages()
    {
        var folder = Path.Combine(MailDir, "new");
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Select(path => MimeMessage.Load(path)).ToList() : [];
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
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
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
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
}
