using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;

namespace HomeSec.Core.Retention;

/// <summary>Finished clips measured on disk: sizes from the filesystem, never estimates.</summary>
/// <param name="Leftovers">Local files whose deletion is recorded but which are still there (a crash came between the two): deleted again, no new event.</param>
public sealed record RetentionSurvey(
    IReadOnlyList<RetainedClip> Clips,
    IReadOnlyList<VolumeSpace> Volumes,
    IReadOnlyList<string> Leftovers,
    IReadOnlyDictionary<string, long> LocalBytesPerCamera)
{
    public static RetentionSurvey Empty { get; } = new([], [], [], new Dictionary<string, long>());

    /// <param name="clips">Finished clips (done or error) from clip_states.</param>
    /// <param name="storage">The storage backend, when it keeps its objects on this machine.</param>
    /// <param name="waitingForStorage">Clips still in the pipeline whose only step left is storing them.</param>
    public static RetentionSurvey Measure(IEnumerable<ClipState> clips, ILocalFileStorage? storage, Disks disks, IEnumerable<ClipState>? waitingForStorage = null)
    {
        var retained = new List<RetainedClip>();
        var leftovers = new List<string>();
        var perCamera = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var state in clips)
        {
            if (state.CameraName is not { } camera || state.LocalPath is not { } localPath || !state.IsFinished || state.Status == ClipStatus.Deleted)
            {
                continue;
            }

            var localBytes = SizeOf(localPath);
            if (state.LocalDeleted)
            {
                if (localBytes is not null)
                {
                    leftovers.Add(localPath);
                }

                localBytes = null;
            }

            if (localBytes is { } bytes)
            {
                perCamera[camera] = perCamera.GetValueOrDefault(camera) + bytes;
            }

            var remotePath = storage is not null && state.IsStoredRemotely ? storage.LocalPathOf(StorageKeys.ForClip(camera, state.ClipId, localPath)) : null;
            var remoteBytes = remotePath is null ? null : SizeOf(remotePath);
            retained.Add(new RetainedClip(state.ClipId, camera, localPath, state.RecordedAt ?? state.CreatedAt ?? DateTimeOffset.UnixEpoch,
                localBytes, localBytes is null ? null : disks.VolumeOf(localPath),
                state.IsStoredRemotely, remoteBytes, remoteBytes is null ? null : disks.VolumeOf(remotePath!),
                state.AlertDecision?.Notify == true)
            {
                FilterFoundNothing = state.Filter is { DetectedClasses.Count: 0 },
                Rechecked = state.Recheck is not null,
            });
        }

        foreach (var state in waitingForStorage ?? [])
        {
            if (state.CameraName is { } camera && state.LocalPath is { } localPath && !state.IsFinished && SizeOf(localPath) is { } bytes)
            {
                perCamera[camera] = perCamera.GetValueOrDefault(camera) + bytes;
                retained.Add(new RetainedClip(state.ClipId, camera, localPath, state.RecordedAt ?? state.CreatedAt ?? DateTimeOffset.UnixEpoch,
                    bytes, disks.VolumeOf(localPath), StoredRemotely: false, null, null, state.AlertDecision?.Notify == true)
                {
                    InPipeline = true,
                });
            }
        }

        var volumes = retained.SelectMany(c => new[] { c.LocalVolume, c.RemoteVolume })
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Select(Disks.Space)
            .OfType<VolumeSpace>()
            .ToList();
        return new RetentionSurvey(retained, volumes, leftovers, perCamera);
    }

    private static long? SizeOf(string path)
    {
        try
        {
            var file = new FileInfo(path);
            return file.Exists ? file.Length : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
