using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Retention;

namespace HomeSec.Actors.Retention;

/// <summary>Messages of the <see cref="RetentionActor"/>.</summary>
public static class RetentionProtocol
{
    /// <summary>Runs one pass now (or after the one under way); answered with <see cref="RetentionPassReport"/>.</summary>
    public sealed record RunRetentionPass(CleanupRequest Request);

    /// <summary>What <c>homesec cleanup</c> asks for; the daemon's own passes use <see cref="Scheduled"/>.</summary>
    /// <param name="DryRun">Decide and report, delete nothing, record nothing.</param>
    /// <param name="OlderThan">Also delete local copies (of stored clips) older than this, whatever the rules say.</param>
    /// <param name="Camera">Only this camera's clips.</param>
    /// <param name="Recheck">Instead of the rules: run this filter (a larger model) on clips whose filter found nothing;
    /// delete those it finds nothing in either (local and stored copies), record what it found in the others.</param>
    /// <param name="Progress">Told after each rechecked clip (done, total).</param>
    public sealed record CleanupRequest(
        bool DryRun,
        TimeSpan? OlderThan = null,
        string? Camera = null,
        IObjectFilter? Recheck = null,
        IProgress<(int Done, int Total)>? Progress = null)
    {
        public static CleanupRequest Scheduled { get; } = new(DryRun: false);
    }

    /// <param name="Deletions">What was deleted (or, in a dry run, would be).</param>
    /// <param name="Failed">Deletions that did not happen, with why; they are tried again at the next pass.</param>
    /// <param name="KeptPendingUpload">Clips a rule would delete locally, kept because they are not stored yet.</param>
    /// <param name="BelowCritical">Filesystems still below the critical floor after this pass.</param>
    /// <param name="RecheckFound">Clips the recheck model found something in (kept, clip_rechecked recorded).</param>
    /// <param name="RecheckFailed">Clips the recheck model could not look at (kept).</param>
    public sealed record RetentionPassReport(
        bool DryRun,
        int Examined,
        IReadOnlyList<Deletion> Deletions,
        IReadOnlyList<(Deletion Deletion, string Reason)> Failed,
        IReadOnlyList<ClipId> KeptPendingUpload,
        IReadOnlyList<string> BelowCritical,
        int Rechecked,
        IReadOnlyList<ClipId> RecheckFound,
        IReadOnlyList<(ClipId ClipId, string Reason)> RecheckFailed)
    {
        public long BytesFreed => Deletions.Sum(d => d.Bytes);
    }

    /// <summary>From the root once the clips coordinator runs: where to ask for clips waiting for storage.</summary>
    public sealed record ClipsStarted(Akka.Actor.IActorRef Clips);

    public sealed record GetRetentionStatus
    {
        public static GetRetentionStatus Instance { get; } = new();
    }

    /// <summary>The figures /health and /metrics show.</summary>
    /// <param name="Volumes">Each filesystem holding clips, with its free space at the last look.</param>
    /// <param name="LocalBytesPerCamera">Local clip files per camera, measured at the last pass.</param>
    /// <param name="DeletedByReason">Copies deleted since start, by reason.</param>
    public sealed record RetentionStatus(
        bool Enabled,
        DateTimeOffset? LastPassAt,
        IReadOnlyList<VolumeSpace> Volumes,
        long? MinFreeBytes,
        long? CriticalFreeBytes,
        IReadOnlyDictionary<string, long> LocalBytesPerCamera,
        IReadOnlyDictionary<string, long> DeletedByReason,
        long DeletionFailures,
        string? LastError)
    {
        public static RetentionStatus Disabled { get; } = new(false, null, [], null, null, new Dictionary<string, long>(), new Dictionary<string, long>(), 0, null);

        public bool BelowFloor => MinFreeBytes is { } floor && Volumes.Any(v => v.FreeBytes < floor);

        public bool BelowCritical => CriticalFreeBytes is { } critical && Volumes.Any(v => v.FreeBytes < critical);
    }
}
