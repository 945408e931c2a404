using HomeSec.Core.Clips;
using HomeSec.Core.Plugins.Sources.Rtsp;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>An <see cref="RtspSource"/> watched in the background as a camera actor would, with its clips, logs and end collected.</summary>
public sealed class RtspSourceRun : IAsyncDisposable
{
    private readonly ClipSourceWatch _watch;

    private RtspSourceRun(RtspSourceOptions options, string camera)
    {
        Options = options;
        Source = new RtspSource(options, camera, TimeProvider.System, Logger);
        _watch = new ClipSourceWatch(Source);
    }

    public RtspSourceOptions Options { get; }

    public RtspSource Source { get; }

    public CapturingLogger<RtspSource> Logger { get; } = new();

    /// <summary>The exception that ended the watch, if one did (a camera actor would fail with it).</summary>
    public Exception? Failure => _watch.Failure;

    public IReadOnlyList<RecordedClip> Clips => _watch.Clips;

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

    public Task StopAsync() => _watch.StopAsync(TimeSpan.FromSeconds(20));

    public ValueTask DisposeAsync() => _watch.DisposeAsync();
}
