using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Sources.Rtsp;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>An <see cref="RtspSource"/> watched in the background as a camera actor would, with its clips, logs and end collected.</summary>
public sealed class RtspSourceRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RecordedClip> _clips = [];
    private readonly Task _watching;

    private RtspSourceRun(RtspSourceOptions options, string camera)
    {
        Options = options;
        Source = new RtspSource(options, camera, TimeProvider.System, Logger);
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

    public RtspSourceOptions Options { get; }

    public RtspSource Source { get; }

    public CapturingLogger<RtspSource> Logger { get; } = new();

    /// <summary>The exception that ended the watch, if one did (a camera actor would fail with it).</summary>
    public Exception? Failure { get; private set; }

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

    /// <summary>Frames measured so far (needs <c>DebugMotion</c>).</summary>
    public int MeasuredFrames => Logger.Count(t => t.Contains("% changed", StringComparison.Ordinal));

    public static RtspSourceRun Start(RtspSourceOptions options, string camera = "cam") => new(options, camera);

    /// <summary>Options for the synthetic camera: fast timeouts and backoff, debug_motion on.</summary>
    public static RtspSourceOptions OptionsFor(string mainUrl, string outputDir, string? detectUrl = null) => new()
    {
        MainUrl = mainUrl,
        DetectUrl = detectUrl,
        OutputDir = outputDir,
        ManifestPath = Path.Combine(outputDir, ".homesec", "manifest.jsonl"),
        DetectWidth = 320,
        DetectHeight = 180,
        DetectFps = 5,
        PreRoll = TimeSpan.FromSeconds(3),
        StopDelay = TimeSpan.FromSeconds(2),
        MaxRecording = TimeSpan.FromSeconds(60),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        IoTimeout = TimeSpan.FromSeconds(3),
        FrameTimeout = TimeSpan.FromSeconds(3),
        Backoff = TimeSpan.FromMilliseconds(300),
        MaxBackoff = TimeSpan.FromSeconds(1),
        DebugMotion = true,
    };

    /// <summary>Everything the source let out: logs, its failure and its health.</summary>
    public string EverythingSaid() => string.Join(Environment.NewLine, Logger.AllText, Failure?.ToString() ?? "", Source.Health.Detail);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _watching.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}
