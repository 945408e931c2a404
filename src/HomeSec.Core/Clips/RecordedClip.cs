namespace HomeSec.Core.Clips;

/// <summary>A clip file that is complete on the local disk and ready for the pipeline.</summary>
/// <param name="Resumed">True when a source hands over again a clip it handed over before a restart.</param>
public sealed record RecordedClip(
    ClipId ClipId,
    string CameraName,
    string LocalPath,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    long SizeBytes,
    bool Resumed = false)
{
    /// <summary>Why the fast alert (phase detected) of this clip went out while it was recorded; null when none did.</summary>
    public string? DetectionAlertReason { get; init; }

    /// <summary>What live detection saw in this recording (trigger classes; clip time; detect-frame pixels); null: nothing / not live.</summary>
    public IReadOnlyList<Alerts.FrameDetections>? LiveDetections { get; init; }

    /// <summary>The detect frame size the live boxes refer to.</summary>
    public (int Width, int Height)? LiveFrameSize { get; init; }
}
