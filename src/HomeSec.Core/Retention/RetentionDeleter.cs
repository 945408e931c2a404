using HomeSec.Core.Plugins;
using HomeSec.Core.Results;

namespace HomeSec.Core.Retention;

/// <summary>Carries out deletions: local files on this machine, stored copies through the storage backend. Failures are values.</summary>
public sealed class RetentionDeleter(IStorageBackend storage, string storagePlugin)
{
    /// <returns>Null when the file is gone (or was never there), else why it could not be removed.</returns>
    /// <param name="clipId">When given, the clip's snapshot and thumbnail beside it go too.</param>
    public static DeletionFailure? DeleteLocal(string path, Clips.ClipId? clipId = null)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }

            foreach (var sidecar in (clipId is { } id ? Media.Thumbnail.SidecarsOf(path, id.Value) : []).Where(File.Exists))
            {
                File.Delete(sidecar);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new DeletionFailure(StageFailureKinds.Classify(ex), ex.Message);
        }
    }

    /// <summary>Removes the clip's stored copy and its analysis sidecar.</summary>
    public async Task<DeletionFailure?> DeleteRemoteAsync(string camera, Clips.ClipId clipId, string localPath, CancellationToken cancellationToken)
    {
        try
        {
            await storage.DeleteAsync(StorageKeys.ForClip(camera, clipId, localPath), cancellationToken);
            await storage.DeleteAsync(StorageKeys.ForClipSidecar(camera, clipId, StorageKeys.AnalysisFileName), cancellationToken);
            await storage.DeleteAsync(StorageKeys.ForClipSidecar(camera, clipId, Media.Snapshot.StorageFileName), cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new DeletionFailure(StageFailureKinds.Classify(ex), $"{storagePlugin}: {ex.Message}");
        }
    }
}

/// <param name="Kind">disk_full, permission, network, … (<see cref="StageFailureKinds"/>).</param>
public sealed record DeletionFailure(string Kind, string Message);
