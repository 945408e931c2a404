using HomeSec.Core.Clips;

namespace HomeSec.Actors.Clips;

public static class ClipProtocol
{
    /// <summary>From a camera: a clip file is on disk and needs the pipeline. The sender hears <see cref="ClipProcessed"/>.</summary>
    public sealed record ProcessClip(RecordedClip Clip);

    /// <summary>From a camera: live detection saw objects in a recording that is still going on.</summary>
    public sealed record LiveDetected(HomeSec.Core.Alerts.Live.LiveDetection Detection);

    /// <summary>The recording ended: the live clip actor answers with <see cref="LiveFinished"/> and stops.</summary>
    internal sealed record FinishLive
    {
        public static FinishLive Instance { get; } = new();
    }

    /// <summary>Why the fast alert went out (null: it did not); the clip's supervisor starts with it.</summary>
    internal sealed record LiveFinished(ClipId ClipId, string? AlertReason)
    {
        public IReadOnlyList<HomeSec.Core.Alerts.FrameDetections> Frames { get; init; } = [];

        public (int Width, int Height)? FrameSize { get; init; }
    }

    /// <summary>The pipeline is finished with a clip (done, or error when a stage gave up).</summary>
    public sealed record ClipProcessed(ClipId ClipId, ClipStatus Status);

    /// <summary>
    /// From a clip: only storing it is left (its uploads keep failing and are retried with backoff). It gives
    /// back its slot of the in-flight bound, so a storage outage does not hold up the alerts of new clips.
    /// </summary>
    public sealed record ClipWaitingForStorage(ClipId ClipId);

    /// <summary>
    /// From retention, below the critical free-space floor: let the clip's local file go although it is not stored.
    /// Only a clip waiting for storage takes it: it records clip_deleted, finishes as deleted and answers
    /// <see cref="LocalCopyReleased"/> once that is durable (then retention deletes the file); otherwise
    /// <see cref="LocalCopyNotReleased"/>.
    /// </summary>
    public sealed record ReleaseLocalCopy(ClipId ClipId, string Reason, long Bytes);

    public sealed record LocalCopyReleased(ClipId ClipId);

    public sealed record LocalCopyNotReleased(ClipId ClipId, string Why);

    public sealed record GetClipsInFlight
    {
        public static GetClipsInFlight Instance { get; } = new();
    }

    /// <param name="WaitingForStorage">Clips whose only step left is storing them (uploads retried with backoff).</param>
    public sealed record ClipsInFlight(IReadOnlyList<ClipId> Running, int Waiting)
    {
        public IReadOnlyList<ClipId> WaitingForStorage { get; init; } = [];
    }

    /// <summary>
    /// Shutdown: admit no more clips and answer <see cref="Drained"/> once the clips in flight are done.
    /// Clips not started stay on disk and are handed over again at the next start.
    /// </summary>
    public sealed record DrainClips
    {
        public static DrainClips Instance { get; } = new();
    }

    public sealed record Drained(int Unfinished);
}
