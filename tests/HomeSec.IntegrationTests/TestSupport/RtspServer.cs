using System.Diagnostics;
using System.Text;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>
/// The synthetic camera <c>tests/rtsp/rtsp_server.py</c> (GStreamer's RTSP server, Debian's python3-gi)
/// on a free 127.0.0.1 port. Mounts are <c>name=timeline</c>, e.g. <c>motion=still:6,move:3</c>: frame n
/// (10 fps) is shown n / 10 s after the first client connected and carries n in its top edge.
/// It can be killed and started again on the same port.
/// </summary>
public sealed class RtspServer : IDisposable
{
    public const int Fps = 10;
    public const int Width = 640;
    public const int Height = 360;

    private readonly string[] _mounts;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private RtspServer(int port, string[] mounts)
    {
        Port = port;
        _mounts = mounts;
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

    public static RtspServer Start(params string[] mounts) => new RtspServer(DaemonProcess.FreeTcpPort(), mounts).Start();

    /// <summary>The URL of a mount, with credentials the server ignores (they must never show up in logs).</summary>
    public string Url(string mount, string password = "secret") => $"rtsp://user:{password}@127.0.0.1:{Port}/{mount}";

    public RtspServer Start()
    {
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ScriptPath());
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var mount in _mounts)
        {
            info.ArgumentList.Add("--mount");
            info.ArgumentList.Add(mount);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(info) ?? throw new InvalidOperationException("the RTSP server did not start");
        _process.OutputDataReceived += (_, e) =>
        {
            Append(e.Data);
            if (e.Data?.StartsWith("READY", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"the RTSP server exited: {Output} (needs: apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly)"));
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(15)))
        {
            throw new InvalidOperationException($"the RTSP server did not get ready on {Port}: {Output}");
        }

        return this;
    }

    /// <summary>Like a camera losing power: SIGKILL, connections drop without goodbye.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();

    private static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "rtsp", "rtsp_server.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/rtsp/rtsp_server.py not found above " + AppContext.BaseDirectory);
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
}
