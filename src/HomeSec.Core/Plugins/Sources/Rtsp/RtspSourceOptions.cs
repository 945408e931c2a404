using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>Options of the <c>rtsp</c> source. URLs come from environment variables and carry credentials: never log them unredacted.</summary>
public sealed record RtspSourceOptions
{
    public required string MainUrl { get; init; }

    /// <summary>The sub-stream motion is detected on; null means the main stream.</summary>
    public string? DetectUrl { get; init; }

    public required string OutputDir { get; init; }

    public required string ManifestPath { get; init; }

    [Option("detect_width", Min = 16, Max = 3840, Description = "width of the frames motion is detected on")]
    public int DetectWidth { get; init; } = 320;

    [Option("detect_height", Min = 16, Max = 2160, Description = "height of the frames motion is detected on")]
    public int DetectHeight { get; init; } = 180;

    [Option("detect_fps", Min = 0.5, Max = 30, Description = "frames per second motion is detected on")]
    public double DetectFps { get; init; } = 5;

    [OptionGroup]
    public MotionSettings Motion { get; init; } = new();

    public IReadOnlyList<MaskPolygon> MotionMasks { get; init; } = [];

    [Option("debug_motion", Description = "log every motion score")]
    public bool DebugMotion { get; init; }

    [Option("pre_roll_s", Min = 0, Max = 60, Description = "seconds kept from before the motion started")]
    public TimeSpan PreRoll { get; init; } = TimeSpan.FromSeconds(5);

    [Option("stop_delay_s", Min = 1, Max = 3600, Description = "seconds without motion before a recording stops")]
    public TimeSpan StopDelay { get; init; } = TimeSpan.FromSeconds(10);

    [Option("max_recording_s", Min = 1, Max = 24 * 3600, Description = "longest clip")]
    public TimeSpan MaxRecording { get; init; } = TimeSpan.FromSeconds(60);

    [Option("connect_timeout_s", Min = 0.5, Max = 600)]
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    [Option("io_timeout_s", Min = 0.5, Max = 600)]
    public TimeSpan IoTimeout { get; init; } = TimeSpan.FromSeconds(10);

    [Option("frame_timeout_s", Min = 0.5, Max = 600)]
    public TimeSpan FrameTimeout { get; init; } = TimeSpan.FromSeconds(10);

    [Option("backoff_s", Min = 0, Max = 3600, Description = "first wait before reconnecting; it doubles up to max_backoff_s")]
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(1);

    [Option("max_backoff_s", Min = 0, Max = 3600)]
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed connections before the source fails (and its actor is restarted); 0 = retry forever.</summary>
    [Option("max_attempts", Min = 0, Max = 1_000_000)]
    public int MaxAttempts { get; init; }

    [Option("detect_fallback_attempts", Min = 1, Max = 1000, Description = "failed connections to the detect stream before the main stream is used")]
    public int DetectFallbackAttempts { get; init; } = 3;

    [Option("ffmpeg_flags", Description = "extra ffmpeg input flags")]
    public IReadOnlyList<string> FfmpegFlags { get; init; } = [];

    /// <summary>ffmpeg's <c>-hwaccel</c> for the detect decoder (e.g. vaapi, cuda, auto); null decodes on the CPU.</summary>
    public string? HardwareDecode { get; init; }

    [Option("ffmpeg_path")]
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>Without credentials: records print every property, and these options may be logged.</summary>
    public override string ToString() =>
        $"RtspSourceOptions {{ MainUrl = {UrlRedactor.RedactUrls(MainUrl)}, DetectUrl = {(DetectUrl is null ? "(main)" : UrlRedactor.RedactUrls(DetectUrl))}, OutputDir = {OutputDir} }}";

    public static RtspSourceOptions Read(ConfigSection config)
    {
        var mainUrl = config.Secret("rtsp_url_env", required: true) ?? "rtsp://unset";
        var detectUrl = config.Has("detect_rtsp_url_env") ? config.Secret("detect_rtsp_url_env", required: false) : null;
        foreach (var (key, url) in new[] { ("rtsp_url_env", mainUrl), ("detect_rtsp_url_env", detectUrl) })
        {
            if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                // The value is a secret: name the variable, never the value.
                config.Error(key, "the environment variable it names does not hold a valid URL (e.g. rtsp://user:password@camera:554/stream)");
            }
        }

        var outputDir = Path.GetFullPath(config.String("output_dir", required: true) ?? ".");
        // Read before the options, so a mask's units are known when its polygons are parsed.
        var units = config.Choice("motion_mask_units", MaskUnits.Pixels, new Dictionary<string, MaskUnits>
        {
            ["pixels"] = MaskUnits.Pixels,
            ["relative"] = MaskUnits.Relative,
        });
        var masks = new List<MaskPolygon>();
        foreach (var text in config.StringList("motion_masks", []))
        {
            if (MaskPolygon.TryParse(text, units, out var polygon, out var problem))
            {
                masks.Add(polygon);
            }
            else
            {
                config.Error("motion_masks", $"'{text}' is not a polygon: {problem}; expected points 'x,y x,y x,y ...' (at least 3)");
            }
        }

        var hwaccel = config.String("hwaccel", "none")!;
        var options = OptionBinder.Bind<RtspSourceOptions>(config);
        var motion = options.Motion;
        if (motion.BlurKernel % 2 == 0)
        {
            config.Error("blur_kernel", $"'{motion.BlurKernel}' is not allowed; expected an odd number from 1 to 15");
            motion = motion with { BlurKernel = new MotionSettings().BlurKernel };
        }

        return options with
        {
            MainUrl = mainUrl,
            DetectUrl = detectUrl,
            OutputDir = outputDir,
            ManifestPath = Path.GetFullPath(config.String("manifest_path") ?? Path.Combine(outputDir, ".homesec", "manifest.jsonl")),
            Motion = motion,
            MotionMasks = masks,
            HardwareDecode = hwaccel is "none" or "" ? null : hwaccel,
        };
    }
}
