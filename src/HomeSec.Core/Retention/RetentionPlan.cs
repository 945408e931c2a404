using HomeSec.Core.Clips;

namespace HomeSec.Core.Retention;

/// <summary>Which copy of a clip a deletion removes.</summary>
public enum DeletionTarget
{
    /// <summary>The clip file on this machine (where its source wrote or took it).</summary>
    Local,

    /// <summary>The stored copy in the storage backend (and its analysis sidecar).</summary>
    Remote,
}

/// <summary>Why a copy is deleted; the wire names are what <c>clip_deleted</c> events and metrics carry.</summary>
public enum DeletionReason
{
    Age,
    Size,
    Floor,
    FloorCritical,
    SourceFiles,
    Recheck,
}

public static class DeletionNames
{
    public static string ToWireName(this DeletionReason reason) => reason switch
    {
        DeletionReason.Age => "age",
        DeletionReason.Size => "size",
        DeletionReason.Floor => "floor",
        DeletionReason.FloorCritical => "floor_critical",
        DeletionReason.SourceFiles => "source_files",
        DeletionReason.Recheck => "recheck",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static string ToWireName(this DeletionTarget target) => target switch
    {
        DeletionTarget.Local => "local",
        DeletionTarget.Remote => "remote",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
    };
}

/// <summary>One copy to delete, and why.</summary>
/// <param name="Bytes">What it frees (measured on the filesystem; 0 for a remote copy the backend does not size).</param>
public sealed record Deletion(ClipId ClipId, string Camera, DeletionTarget Target, DeletionReason Reason, long Bytes);

/// <summary>What a pass decided.</summary>
/// <param name="KeptPendingUpload">Clips a rule would have deleted locally but that are not stored yet (kept).</param>
/// <param name="BelowCritical">Volumes still below the critical floor after every possible deletion.</param>
public sealed record RetentionPlan(IReadOnlyList<Deletion> Deletions, IReadOnlyList<ClipId> KeptPendingUpload, IReadOnlyList<string> BelowCritical)
{
    public static RetentionPlan Empty { get; } = new([], [], []);
}
