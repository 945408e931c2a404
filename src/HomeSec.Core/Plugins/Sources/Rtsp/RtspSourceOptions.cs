using HomeSec.Core.Config;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>Options of the <c>rtsp</c> source. URLs come from environment variables and carry credentials: never log them unredacted.</summary>
public sealed record RtspSourceOptions
{
    public required string MainUrl { get; init; }

    /// <summary>The sub-stream motion is detected on; null means the main stream.</summary>
    public string? DetectUrl { get; init; }

    public required string OutputDir { get; init; }

    public required string ManifestPath { get; init; }

    public int DetectWidth { get; init; } = 320;

    public int DetectHeight { get; init; } = 180;

    public double DetectFps { get; init; } = 5;

    public MotionSettings Motion { get; init; } = new();

    public IReadOnlyList<MaskPolygon> MotionMasks { get; init; } = [];

    public bool DebugMotion { get; init; }

    public TimeSpan PreRoll { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan StopDelay { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRecording { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan IoTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan FrameTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed connections before the source fails (and its actor is restarted); 0 = retry forever.</summary>
    public int MaxAttempts { get; init; }

    public int DetectFallbackAttempts { get; init; } = 3;

    public IReadOnlyList<string> FfmpegFlags { get; init; } = [];

    /// <summary>ffmpeg's <c>-hwaccel</c> for the detect decoder (e.g. vaapi, cuda, auto); null decodes on the CPU.</summary>
    public string? HardwareDecode { get; init; }

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
        var width = config.Int("detect_width", 320, 16, 3840);
        var height = config.Int("detect_height", 180, 16, 2160);
        var blur = config.Int("blur_kernel", 5, 1, 15);
        if (blur % 2 == 0)
        {
            config.Error("blur_kernel", $"'{blur}' is not allowed; expected an odd number from 1 to 15");
            blur = 5;
        }

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
        return new RtspSourceOptions
        {
            MainUrl = mainUrl,
            DetectUrl = detectUrl,
            OutputDir = outputDir,
            ManifestPath = Path.GetFullPath(config.String("manifest_path") ?? Path.Combine(outputDir, ".homesec", "manifest.jsonl")),
            DetectWidth = width,
            DetectHeight = height,
            DetectFps = config.Number("detect_fps", 5, 0.5, 30),
            Motion = new MotionSettings(
                config.Int("pixel_threshold", 45, 1, 255),
                config.Number("min_changed_pct", 1.0, 0.001, 100),
                config.Number("recording_sensitivity_factor", 2.0, 1, 100),
                blur),
            MotionMasks = masks,
            DebugMotion = config.Bool("debug_motion", false),
            PreRoll = config.Seconds("pre_roll_s", 5, 0, 60),
            StopDelay = config.Seconds("stop_delay_s", 10, 1, 3600),
            MaxRecording = config.Seconds("max_recording_s", 60, 1, 24 * 3600),
            ConnectTimeout = config.Seconds("connect_timeout_s", 10, 0.5, 600),
            IoTimeout = config.Seconds("io_timeout_s", 10, 0.5, 600),
            FrameTimeout = config.Seconds("frame_timeout_s", 10, 0.5, 600),
            Backoff = config.Seconds("backoff_s", 1, 0, 3600),
            MaxBackoff = config.Seconds("max_backoff_s", 30, 0, 3600),
            MaxAttempts = config.Int("max_attempts", 0, 0, 1_000_000),
            DetectFallbackAttempts = config.Int("detect_fallback_attempts", 3, 1, 1000),
            FfmpegFlags = config.StringList("ffmpeg_flags", []),
            HardwareDecode = hwaccel is "none" or "" ? null : hwaccel,
            FfmpegPath = config.String("ffmpeg_path", "ffmpeg")!,
        };
    }
}
