using HomeSec.Core.Clips;

namespace HomeSec.Core.Plugins;

/// <summary>Where clips are kept. Every write is idempotent: putting the same key twice stores it once.</summary>
public interface IStorageBackend
{
    Task<StoredObject> PutFileAsync(string localPath, string key, CancellationToken cancellationToken);

    Task<StoredObject> PutJsonAsync(string key, string json, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes the object; one that is not there counts as deleted (retention retries deletions).</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

/// <summary>A storage backend that keeps its objects on this machine's filesystem (retention measures them and counts them against the free-space floor).</summary>
public interface ILocalFileStorage
{
    /// <summary>The file an object is kept in (it may not exist).</summary>
    string LocalPathOf(string key);
}

/// <param name="StorageUri">Where the object is, for machines.</param>
/// <param name="ViewUrl">A link a person can open, when the backend can make one.</param>
public sealed record StoredObject(string StorageUri, string? ViewUrl);

public static class StorageKeys
{
    /// <summary>The layout every backend uses: <c>{camera}/{clip_id}{extension}</c>.</summary>
    public static string ForClip(RecordedClip clip) => ForClip(clip.CameraName, clip.ClipId, clip.LocalPath);

    public static string ForClipSidecar(RecordedClip clip, string fileName) => ForClipSidecar(clip.CameraName, clip.ClipId, fileName);

    /// <summary>The key of a clip recorded from <paramref name="localPath"/> (what <see cref="ForClip(RecordedClip)"/> gave it).</summary>
    public static string ForClip(string camera, ClipId clipId, string localPath) =>
        $"{camera}/{clipId}{Path.GetExtension(localPath).ToLowerInvariant()}";

    public static string ForClipSidecar(string camera, ClipId clipId, string fileName) => $"{camera}/{clipId}.{fileName}";

    /// <summary>The VLM analysis stored beside a clip.</summary>
    public const string AnalysisFileName = "analysis.json";
}
