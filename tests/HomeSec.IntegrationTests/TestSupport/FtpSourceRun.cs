using System.Net;
using System.Net.Sockets;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins.Sources.Ftp;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>An <see cref="FtpSource"/> on a free loopback port, watched in the background as a camera actor would, with its clips and logs.</summary>
public sealed class FtpSourceRun : IAsyncDisposable
{
    public const string User = "gatecam";
    public const string Password = "Zq9-secret-Pw";

    private readonly CancellationTokenSource _stop = new();
    private readonly List<RecordedClip> _clips = [];
    private readonly Task _watching;

    private FtpSourceRun(FtpSourceOptions options)
    {
        Options = options;
        Source = new FtpSource(options, "gate", TimeProvider.System, Logger);
        _watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var clip in Source.WatchAsync(_stop.Token))
                {
                    lock (_clips)
                    {
                        _clips.Add(clip);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Failure = ex;
            }
        });
    }

    public FtpSourceOptions Options { get; }

    public FtpSource Source { get; }

    public CapturingLogger<FtpSource> Logger { get; } = new();

    public Exception? Failure { get; private set; }

    public string Url => $"ftp://{User}:{Password}@127.0.0.1:{Options.Port}";

    public IReadOnlyList<RecordedClip> Clips
    {
        get
        {
            lock (_clips)
            {
                return _clips.ToList();
            }
        }
    }

    public static FtpSourceOptions OptionsFor(string root) => new()
    {
        Host = "127.0.0.1",
        Port = FreePort(),
        Username = User,
        Password = Password,
        Root = root,
        ManifestPath = Path.Combine(root, ".homesec", "manifest.jsonl"),
        IdleTimeout = TimeSpan.FromSeconds(20),
    };

    public static async Task<FtpSourceRun> StartAsync(FtpSourceOptions options)
    {
        var run = new FtpSourceRun(options);
        await Eventually.WaitForAsync(() => run.Source.Health.Healthy || run.Failure is not null, TimeSpan.FromSeconds(10), "the FTP source to listen");
        return run.Failure is null ? run : throw new InvalidOperationException("the FTP source failed to start", run.Failure);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
