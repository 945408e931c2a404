using HomeSec.Core.Clips;

namespace HomeSec.Core.Plugins;

/// <summary>Where clips are kept. Every write is idempotent: putting the same key twice stores it once.</summary>
public interface IStorageBackend
{
    Task<StoredObject> PutFileAsync(string localPath, string key, CancellationToken cancellationToken);

    Task<StoredObject> PutJsonAsync(string key, string json, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);
}

/// <param name="StorageUri">Where the object is, for machines.</param>
/// <param name="ViewUrl">A link a person can open, when the backend can make one.</param>
public sealed record StoredObject(string StorageUri, string? ViewUrl);

public static class StorageKeys
{
    /// <summary>The layout every backend uses: <c>{camera}/{clip_id}{extension}</c>.</summary>
    public static string ForClip(RecordedClip clip) =>
        $"{clip.CameraName}/{clip.ClipId}{Path.GetExtension(clip.LocalPath).ToLowerInvariant()}";

    public static string ForClipSidecar(RecordedClip clip, string fileName) => $"{clip.CameraName}/{clip.ClipId}.{fileName}";
}
