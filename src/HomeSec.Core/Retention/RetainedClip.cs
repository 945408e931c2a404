using HomeSec.Core.Clips;

namespace HomeSec.Core.Retention;

/// <summary>
/// What retention needs to know of one finished clip, measured on disk just before the pass.
/// </summary>
/// <param name="LocalPath">Where the source wrote or took the clip (also gives the stored copy's key its extension).</param>
/// <param name="RecordedAt">When the clip was recorded (its age is measured from here).</param>
/// <param name="LocalBytes">Size of the local clip file; null when there is none (deleted, moved away).</param>
/// <param name="LocalVolume">The filesystem holding the local file (its mount point).</param>
/// <param name="StoredRemotely">The storage backend confirmed it (upload_completed) and it was not deleted there.</param>
/// <param name="RemoteBytes">Size of the stored copy when the storage backend is on this machine (the local backend); else null.</param>
/// <param name="RemoteVolume">The filesystem of that stored copy.</param>
/// <param name="Alerted">The alert policy decided to notify.</param>
public sealed record RetainedClip(
    ClipId ClipId,
    string Camera,
    string LocalPath,
    DateTimeOffset RecordedAt,
    long? LocalBytes,
    string? LocalVolume,
    bool StoredRemotely,
    long? RemoteBytes,
    string? RemoteVolume,
    bool Alerted)
{
    /// <summary>The filter ran and kept nothing (what <c>cleanup --recheck-model</c> looks at again).</summary>
    public bool FilterFoundNothing { get; init; }

    /// <summary>A recheck already looked at it.</summary>
    public bool Rechecked { get; init; }

    /// <summary>Still in the pipeline, waiting for storage (its upload is retried): only the critical floor may take its file, through its supervisor.</summary>
    public bool InPipeline { get; init; }

    public bool HasLocalFile => LocalBytes is not null;
}

/// <summary>Free space of one filesystem, as <c>statvfs</c> tells it.</summary>
public sealed record VolumeSpace(string MountPoint, long FreeBytes, long TotalBytes);
