namespace HomeSec.Core.Alerts;

/// <summary>What the object detector saw in a clip. An empty class list with <see cref="MotionOnly"/> means no detector ran.</summary>
public sealed record FilterResult(
    IReadOnlyList<string> DetectedClasses,
    double BestConfidence,
    int SampledFrames,
    string Model,
    bool MotionOnly = false)
{
    public static FilterResult NoDetector { get; } = new([], 0, 0, "none", MotionOnly: true);

    /// <summary>
    /// The sampled frames in which something was kept, with their boxes (source-frame pixels); frames with
    /// nothing are left out. Null from detectors that report no boxes and in events stored before boxes existed.
    /// </summary>
    public IReadOnlyList<FrameDetections>? Frames { get; init; }

    /// <summary>The source frame size the boxes refer to; null when there are no boxes.</summary>
    public int? FrameWidth { get; init; }

    public int? FrameHeight { get; init; }

    /// <summary>The camera's zones the objects stood in (given to the VLM); null when the camera has none or nobody asked.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string>? ZonesSeen { get; init; }

    /// <summary>Made from the live detections of the recording instead of decoding the clip again.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool FromLiveDetection { get; init; }

    /// <summary>The alert's picture (best detection, box drawn), when one could be made.</summary>
    public SnapshotRef? Snapshot { get; init; }

    public IReadOnlyList<string> TriggeredBy(IReadOnlyCollection<string> triggerClasses) =>
        DetectedClasses.Where(c => triggerClasses.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <summary>When, in the clip, the detector saw the given classes (all classes when empty), best confidence first.</summary>
    public IReadOnlyList<TimeSpan> MomentsOf(IReadOnlyCollection<string> classes) =>
        (Frames ?? [])
        .Select(f => (f.TimeS, Best: f.Boxes.Where(b => classes.Count == 0 || classes.Contains(b.Class, StringComparer.OrdinalIgnoreCase))
            .Select(b => b.Confidence).DefaultIfEmpty(-1).Max()))
        .Where(f => f.Best >= 0)
        .OrderByDescending(f => f.Best)
        .Select(f => TimeSpan.FromSeconds(f.TimeS))
        .ToList();
}

/// <summary>The boxes kept in one sampled frame, <paramref name="TimeS"/> seconds into the clip.</summary>
public sealed record FrameDetections(double TimeS, IReadOnlyList<DetectedBox> Boxes);

/// <summary>One detected object: its class, the model's confidence and its box in source-frame pixels.</summary>
public sealed record DetectedBox(string Class, double Confidence, double X1, double Y1, double X2, double Y2);

/// <param name="LocalPath">The JPEG beside the clip on this machine.</param>
/// <param name="StorageUri">The copy in storage; null when storing it failed (the alert still goes out).</param>
/// <param name="TimeS">When in the clip the frame is.</param>
public sealed record SnapshotRef(string LocalPath, string? StorageUri, double TimeS);
