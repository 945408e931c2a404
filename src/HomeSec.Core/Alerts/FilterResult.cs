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

    public IReadOnlyList<string> TriggeredBy(IReadOnlyCollection<string> triggerClasses) =>
        DetectedClasses.Where(c => triggerClasses.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
}
