using HomeSec.Core.Clips;

namespace HomeSec.Core.Retention;

/// <summary>
/// The retention decisions as a pure function: finished clips (measured on disk) + rules + free space + now
/// → the copies to delete, each with its reason. The rules, in order:
/// <list type="number">
/// <item><c>source_files: delete_after_stored</c>: a stored clip's local file goes.</item>
/// <item>Age: a local file older than <c>local.max_days</c> (<c>keep_alerted_days</c> for a clip that alerted) goes,
/// a stored copy older than <c>remote.max_days</c> goes from the storage backend.</item>
/// <item>Size: a camera's local files above its <c>local.max_gb</c>, then all cameras' above the global
/// <c>retention.local.max_gb</c>: plain motion clips oldest first, then clips that alerted oldest first.</item>
/// <item>Floor: on each filesystem with less than <c>min_free_gb</c> free, local files in the same order; where the
/// storage backend itself is on that filesystem (local backend), then its stored copies in the same order.</item>
/// <item>Only below <c>critical_free_gb</c>: local files of clips that are not stored yet, oldest first, until the
/// critical floor is regained.</item>
/// </list>
/// A local file of a clip that is not stored yet is never deleted by rules 1–4: it is the only copy.
/// </summary>
public static class RetentionPlanner
{
    public static RetentionPlan Plan(IReadOnlyList<RetainedClip> clips, RetentionConfig config, IReadOnlyList<VolumeSpace> volumes, DateTimeOffset now)
    {
        var plan = new Planning();
        var oldestFirst = clips.OrderBy(c => c.RecordedAt).ThenBy(c => c.ClipId.Value, StringComparer.Ordinal).ToList();

        foreach (var clip in oldestFirst)
        {
            var rules = config.For(clip.Camera);
            if (clip.HasLocalFile && rules.SourceFiles == SourceFilesPolicy.DeleteAfterStored && clip.StoredRemotely)
            {
                plan.DeleteLocal(clip, DeletionReason.SourceFiles);
            }

            var localLimit = clip.Alerted ? rules.KeepAlertedDays ?? rules.LocalMaxDays : rules.LocalMaxDays;
            if (clip.HasLocalFile && localLimit is { } days && AgeDays(clip, now) > days)
            {
                plan.DeleteLocalIfStored(clip, DeletionReason.Age);
            }

            if (clip.StoredRemotely && rules.RemoteMaxDays is { } remoteDays && AgeDays(clip, now) > remoteDays)
            {
                plan.DeleteRemote(clip, DeletionReason.Age);
            }
        }

        // Plain motion first, then clips that alerted; oldest first within each.
        var deletionOrder = oldestFirst.Where(c => !c.Alerted).Concat(oldestFirst.Where(c => c.Alerted)).ToList();
        foreach (var camera in deletionOrder.Select(c => c.Camera).Distinct(StringComparer.Ordinal))
        {
            if (config.For(camera).LocalMaxBytes is { } cap)
            {
                plan.ShrinkLocal(deletionOrder.Where(c => c.Camera == camera), cap, DeletionReason.Size);
            }
        }

        if (config.TotalLocalMaxBytes is { } totalCap)
        {
            plan.ShrinkLocal(deletionOrder, totalCap, DeletionReason.Size);
        }

        foreach (var volume in volumes)
        {
            if (config.MinFreeBytes is { } floor)
            {
                plan.FreeVolume(volume, deletionOrder, floor);
            }

            if (config.CriticalFreeBytes is { } critical)
            {
                plan.FreeVolumeCritically(volume, oldestFirst, critical);
            }
        }

        return plan.Result();
    }

    /// <summary>
    /// The recheck's decision: a clip the larger model found nothing in either loses every copy (reason recheck);
    /// the others are kept. <paramref name="stillEmpty"/> are the clips the recheck model found nothing in.
    /// </summary>
    public static RetentionPlan PlanRecheck(IReadOnlyList<RetainedClip> clips, IReadOnlySet<ClipId> stillEmpty)
    {
        var plan = new Planning();
        foreach (var clip in clips.Where(c => stillEmpty.Contains(c.ClipId)).OrderBy(c => c.RecordedAt))
        {
            plan.DeleteLocal(clip, DeletionReason.Recheck);
            plan.DeleteRemote(clip, DeletionReason.Recheck);
        }

        return plan.Result();
    }

    /// <summary>The clips a recheck looks at: the filter found nothing, not rechecked before, the file is still here.</summary>
    public static IReadOnlyList<RetainedClip> RecheckCandidates(IReadOnlyList<RetainedClip> clips, DateTimeOffset now, TimeSpan? olderThan) =>
        [.. clips.Where(c => c.FilterFoundNothing && !c.Rechecked && c.HasLocalFile && (olderThan is null || now - c.RecordedAt > olderThan))
            .OrderBy(c => c.RecordedAt)];

    private static double AgeDays(RetainedClip clip, DateTimeOffset now) => (now - clip.RecordedAt).TotalDays;

    /// <summary>A plan in the making: what is deleted so far, and what that frees per filesystem.</summary>
    private sealed class Planning
    {
        private readonly List<Deletion> _deletions = [];
        private readonly HashSet<ClipId> _localGone = [];
        private readonly HashSet<ClipId> _remoteGone = [];
        private readonly HashSet<ClipId> _keptPendingUpload = [];
        private readonly Dictionary<string, long> _freed = new(StringComparer.Ordinal);
        private readonly List<string> _belowCritical = [];

        public RetentionPlan Result() => new(_deletions, [.. _keptPendingUpload.Except(_localGone)], _belowCritical);

        public void DeleteLocal(RetainedClip clip, DeletionReason reason)
        {
            if (clip.HasLocalFile && _localGone.Add(clip.ClipId))
            {
                _deletions.Add(new Deletion(clip.ClipId, clip.Camera, DeletionTarget.Local, reason, clip.LocalBytes!.Value));
                Freed(clip.LocalVolume, clip.LocalBytes.Value);
            }
        }

        public void DeleteLocalIfStored(RetainedClip clip, DeletionReason reason)
        {
            if (!clip.StoredRemotely)
            {
                _keptPendingUpload.Add(clip.ClipId);
                return;
            }

            DeleteLocal(clip, reason);
        }

        public void DeleteRemote(RetainedClip clip, DeletionReason reason)
        {
            if (clip.StoredRemotely && _remoteGone.Add(clip.ClipId))
            {
                _deletions.Add(new Deletion(clip.ClipId, clip.Camera, DeletionTarget.Remote, reason, clip.RemoteBytes ?? 0));
                if (clip.RemoteBytes is { } bytes)
                {
                    Freed(clip.RemoteVolume, bytes);
                }
            }
        }

        /// <summary>Deletes local files of <paramref name="clips"/> (in their order) until what is left is within <paramref name="cap"/>.</summary>
        public void ShrinkLocal(IEnumerable<RetainedClip> clips, long cap, DeletionReason reason)
        {
            var candidates = clips.Where(c => c.HasLocalFile).ToList();
            var kept = candidates.Where(c => !_localGone.Contains(c.ClipId)).Sum(c => c.LocalBytes!.Value);
            foreach (var clip in candidates)
            {
                if (kept <= cap)
                {
                    return;
                }

                if (_localGone.Contains(clip.ClipId))
                {
                    continue;
                }

                DeleteLocalIfStored(clip, reason);
                if (_localGone.Contains(clip.ClipId))
                {
                    kept -= clip.LocalBytes!.Value;
                }
            }
        }

        public void FreeVolume(VolumeSpace volume, IReadOnlyList<RetainedClip> deletionOrder, long floor)
        {
            foreach (var clip in deletionOrder.Where(c => c.HasLocalFile && c.LocalVolume == volume.MountPoint))
            {
                if (Free(volume) >= floor)
                {
                    return;
                }

                DeleteLocalIfStored(clip, DeletionReason.Floor);
            }

            // The storage backend on the same filesystem (local backend): its copies go too, oldest first.
            foreach (var clip in deletionOrder.Where(c => c.StoredRemotely && c.RemoteBytes is not null && c.RemoteVolume == volume.MountPoint))
            {
                if (Free(volume) >= floor)
                {
                    return;
                }

                DeleteRemote(clip, DeletionReason.Floor);
            }
        }

        public void FreeVolumeCritically(VolumeSpace volume, IReadOnlyList<RetainedClip> oldestFirst, long critical)
        {
            foreach (var clip in oldestFirst.Where(c => c.HasLocalFile && c.LocalVolume == volume.MountPoint && !_localGone.Contains(c.ClipId)))
            {
                if (Free(volume) >= critical)
                {
                    return;
                }

                DeleteLocal(clip, DeletionReason.FloorCritical);
            }

            if (Free(volume) < critical)
            {
                _belowCritical.Add(volume.MountPoint);
            }
        }

        private long Free(VolumeSpace volume) => volume.FreeBytes + _freed.GetValueOrDefault(volume.MountPoint);

        private void Freed(string? volume, long bytes)
        {
            if (volume is not null)
            {
                _freed[volume] = _freed.GetValueOrDefault(volume) + bytes;
            }
        }
    }
}
