using HomeSec.Core.Clips;

namespace HomeSec.Core.Alerts.Live;

/// <summary>
/// Objects a source saw in one frame while recording <paramref name="ClipId"/> (boxes in frame pixels, after the
/// detector's own class and confidence rules). <paramref name="FrameAt"/>: when the frame arrived.
/// </summary>
public sealed record LiveDetection(ClipId ClipId, string CameraName, DateTimeOffset RecordingStartedAt, DateTimeOffset FrameAt,
    IReadOnlyList<DetectedBox> Boxes, int FrameWidth, int FrameHeight);

/// <summary>A detector that looks at single frames as they arrive (the yolo filter does), for live detection.</summary>
public interface ILiveDetector
{
    /// <param name="rgb">Packed RGB24, <paramref name="width"/>×<paramref name="height"/>; not changed until the task completes.</param>
    Task<IReadOnlyList<DetectedBox>> DetectFrameAsync(byte[] rgb, int width, int height, CancellationToken cancellationToken);
}

/// <summary>A source that reports detections during a recording (the rtsp source with live detection on).</summary>
public interface ILiveDetectionSource
{
    System.Threading.Channels.ChannelReader<LiveDetection> LiveDetections { get; }
}

/// <summary><c>live_detection</c>: RTSP cameras run the filter's model on the detect stream while they record.</summary>
/// <param name="Fps">Frames per second looked at during a recording.</param>
/// <param name="ReuseForFilter">A recording in which live detection saw a trigger class is not decoded again by the filter.</param>
public sealed record LiveDetectionConfig(bool Enabled, double Fps, bool ReuseForFilter = true)
{
    public static LiveDetectionConfig Disabled { get; } = new(false, 4);

    public TimeSpan Interval => TimeSpan.FromSeconds(1 / Fps);

    public static LiveDetectionConfig Read(Config.ConfigSection section) =>
        new(section.Bool("enabled", false), section.Number("fps", 4, 0.2, 30), section.Bool("reuse_for_filter", true));
}
