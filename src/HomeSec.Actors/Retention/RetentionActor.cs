using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Retention;
using Microsoft.Extensions.Logging;
using static HomeSec.Actors.Retention.RetentionProtocol;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Actors.Retention;

/// <summary>
/// <c>/user/retention</c>: keeps the disk from filling. A pass runs every <c>check_interval_s</c>, and at
/// once when a look at free space (every <c>floor_check_interval_s</c>) finds a filesystem below <c>min_free_gb</c>;
/// <c>homesec cleanup</c> asks for one too. Each pass is a sequence of behaviours:
/// <list type="number">
/// <item><see cref="Surveying"/>: finished clips from clip_states, measured on disk (and rechecked, when asked).</item>
/// <item><see cref="RecordingIntents"/>: the plan (a pure function, <see cref="RetentionPlanner"/>); each local deletion
/// is recorded (clip_deleted) and waited on until durable before its file goes, so a crash never leaves a file gone
/// without its event.</item>
/// <item><see cref="Deleting"/>: the files go; stored copies are deleted through the storage backend.</item>
/// <item><see cref="RecordingRemote"/>: each confirmed remote deletion is recorded (deleting again is harmless, so
/// here the event follows the deletion).</item>
/// </list>
/// A clip still in the pipeline is never looked at: only finished clips (done, error) are candidates.
/// </summary>
public sealed class RetentionActor : ReceiveActor, IWithTimers, IWithStash
{
    private readonly RetentionSettings _settings;
    private readonly IActorRef _repository;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, long> _deletedByReason = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private RetentionStatus _status;
    private long _deletionFailures;
    private static readonly TimeSpan ClipsPatience = TimeSpan.FromSeconds(3);

    private IActorRef _clips = ActorRefs.Nobody;

    // The pass under way.
    private RunRetentionPass _pass = new(CleanupRequest.Scheduled);
    private IActorRef? _requester;
    private RetentionSurvey _survey = RetentionSurvey.Empty;
    private RetentionPlan _plan = RetentionPlan.Empty;
    private Surveyed? _surveyed;
    private readonly HashSet<ClipId> _awaiting = [];
    private readonly Dictionary<ClipId, string> _notDurable = [];
    private readonly List<(Deletion Deletion, string Reason)> _failed = [];
    private readonly List<Deletion> _done = [];

    public RetentionActor(RetentionSettings settings, IActorRef repository)
    {
        _settings = settings;
        _repository = repository;
        _status = RetentionStatus.Disabled with
        {
            Enabled = true,
            MinFreeBytes = settings.Config.MinFreeBytes,
            CriticalFreeBytes = settings.Config.CriticalFreeBytes,
        };
        Become(Idle);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props Props(RetentionSettings settings, IActorRef repository) =>
        Akka.Actor.Props.Create(() => new RetentionActor(settings, repository));

    protected override void PreStart()
    {
        if (_settings.RunScheduledPasses)
        {
            Timers.StartPeriodicTimer(nameof(Tick), Tick.Instance, _settings.FirstPassDelay, _settings.Config.CheckInterval);
            if (_settings.Config.MinFreeBytes is not null || _settings.Config.CriticalFreeBytes is not null)
            {
                Timers.StartPeriodicTimer(nameof(FloorTick), FloorTick.Instance, _settings.Config.FloorCheckInterval);
            }
        }
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void Idle()
    {
        Receive<Tick>(_ => BeginPass(new RunRetentionPass(CleanupRequest.Scheduled), null));
        Receive<RunRetentionPass>(pass => BeginPass(pass, Sender));
        Receive<FloorTick>(_ => LookAtFreeSpace());
        Receive<FreeSpaceLooked>(looked =>
        {
            _status = _status with { Volumes = looked.Volumes };
            if (_status.BelowFloor || _status.BelowCritical)
            {
                BeginPass(new RunRetentionPass(CleanupRequest.Scheduled), null);
            }
        });
        Common();
    }

    private void Surveying()
    {
        Receive<Surveyed>(surveyed =>
        {
            _surveyed = surveyed;
            _survey = surveyed.Survey;
            _status = _status with { Volumes = _survey.Volumes, LocalBytesPerCamera = _survey.LocalBytesPerCamera, LastError = null };
            _plan = Plan(surveyed);
            if (_pass.Request.DryRun)
            {
                Finish();
                return;
            }

            RecordIntents();
        });
        Receive<SurveyFailed>(failed =>
        {
            _log.Warning("Retention: could not read the clips ({0}); trying again at the next pass", failed.Error.Message);
            _status = _status with { LastError = failed.Error.Message };
            _requester?.Tell(new Status.Failure(failed.Error));
            EndPass();
        });
        Busy();
    }

    /// <summary>Local deletions and recheck findings are recorded, and durable, before any file goes.</summary>
    private void RecordIntents()
    {
        var now = _settings.Clock.GetUtcNow();
        var inPipeline = _survey.Clips.Where(c => c.InPipeline).Select(c => c.ClipId).ToHashSet();
        foreach (var deletion in _plan.Deletions.Where(d => d.Target == DeletionTarget.Local))
        {
            if (inPipeline.Contains(deletion.ClipId))
            {
                // Its supervisor owns its event stream: it records the deletion and finishes the clip, then answers.
                _clips.Tell(new Clips.ClipProtocol.ReleaseLocalCopy(deletion.ClipId, deletion.Reason.ToWireName(), deletion.Bytes));
                _awaiting.Add(deletion.ClipId);
                continue;
            }

            _repository.Tell(new ClipDeleted(deletion.ClipId, now, deletion.Reason.ToWireName(), DeletionTarget.Local.ToWireName(), deletion.Bytes));
            _awaiting.Add(deletion.ClipId);
        }

        foreach (var (clipId, found) in _surveyed!.RecheckFound)
        {
            _repository.Tell(new ClipRechecked(clipId, now, found.Model, found.DetectedClasses, found.BestConfidence));
            _awaiting.Add(clipId);
        }

        foreach (var clipId in _awaiting.Where(id => !inPipeline.Contains(id)))
        {
            _repository.Tell(new RepositoryProtocol.AwaitClipDurable(clipId));
        }

        Become(RecordingIntents);
        if (_awaiting.Count == 0)
        {
            StartDeleting();
        }
    }

    private void RecordingIntents()
    {
        Receive<RepositoryProtocol.ClipDurable>(durable => Settle(durable.ClipId, StartDeleting));
        Receive<RepositoryProtocol.ClipNotDurable>(lost =>
        {
            _notDurable[lost.ClipId] = "its clip_deleted event could not be made durable";
            Settle(lost.ClipId, StartDeleting);
        });
        Receive<Clips.ClipProtocol.LocalCopyReleased>(released => Settle(released.ClipId, StartDeleting));
        Receive<Clips.ClipProtocol.LocalCopyNotReleased>(refused =>
        {
            _notDurable[refused.ClipId] = refused.Why;
            Settle(refused.ClipId, StartDeleting);
        });
        Busy();
    }

    private void StartDeleting()
    {
        var local = new List<Deletion>();
        foreach (var deletion in _plan.Deletions.Where(d => d.Target == DeletionTarget.Local))
        {
            if (_notDurable.TryGetValue(deletion.ClipId, out var why))
            {
                _failed.Add((deletion, why));
            }
            else
            {
                local.Add(deletion);
            }
        }

        var remote = _plan.Deletions.Where(d => d.Target == DeletionTarget.Remote).ToList();
        var paths = _survey.Clips.ToDictionary(c => c.ClipId, c => c.LocalPath);
        var deleter = new RetentionDeleter(_settings.Storage, _settings.StoragePlugin);
        var leftovers = _survey.Leftovers;
        var stopping = _stopping.Token;
        Become(Deleting);
        CarryOutAsync(deleter, local, remote, paths, leftovers, stopping).PipeTo(Self,
            success: carried => carried,
            failure: ex => new DeletionsCarriedOut([], [.. local.Concat(remote).Select(d => (d, ex.Message))]));
    }

    private static async Task<DeletionsCarriedOut> CarryOutAsync(RetentionDeleter deleter, IReadOnlyList<Deletion> local, IReadOnlyList<Deletion> remote,
        IReadOnlyDictionary<ClipId, string> paths, IReadOnlyList<string> leftovers, CancellationToken cancellationToken)
    {
        var done = new List<Deletion>();
        var failed = new List<(Deletion, string)>();
        foreach (var path in leftovers)
        {
            RetentionDeleter.DeleteLocal(path);
        }

        foreach (var deletion in local)
        {
            switch (RetentionDeleter.DeleteLocal(paths[deletion.ClipId], deletion.ClipId))
            {
                case null:
                    done.Add(deletion);
                    break;
                case var failure:
                    failed.Add((deletion, $"{failure.Kind}: {failure.Message}"));
                    break;
            }
        }

        foreach (var deletion in remote)
        {
            switch (await deleter.DeleteRemoteAsync(deletion.Camera, deletion.ClipId, paths[deletion.ClipId], cancellationToken))
            {
                case null:
                    done.Add(deletion);
                    break;
                case var failure:
                    failed.Add((deletion, $"{failure.Kind}: {failure.Message}"));
                    break;
            }
        }

        return new DeletionsCarriedOut(done, failed);
    }

    private void Deleting()
    {
        Receive<DeletionsCarriedOut>(carried =>
        {
            _done.AddRange(carried.Done);
            _failed.AddRange(carried.Failed);
            var now = _settings.Clock.GetUtcNow();
            foreach (var deletion in carried.Done.Where(d => d.Target == DeletionTarget.Remote))
            {
                _repository.Tell(new ClipDeleted(deletion.ClipId, now, deletion.Reason.ToWireName(), DeletionTarget.Remote.ToWireName(), deletion.Bytes));
                _awaiting.Add(deletion.ClipId);
            }

            foreach (var clipId in _awaiting)
            {
                _repository.Tell(new RepositoryProtocol.AwaitClipDurable(clipId));
            }

            Become(RecordingRemote);
            if (_awaiting.Count == 0)
            {
                Finish();
            }
        });
        Busy();
    }

    private void RecordingRemote()
    {
        Receive<RepositoryProtocol.ClipDurable>(durable => Settle(durable.ClipId, Finish));
        // Not durable: the copy is gone but the state does not say so; the next pass deletes it again (harmless) and records it.
        Receive<RepositoryProtocol.ClipNotDurable>(lost => Settle(lost.ClipId, Finish));
        Busy();
    }

    private void Settle(ClipId clipId, Action whenAllSettled)
    {
        if (_awaiting.Remove(clipId) && _awaiting.Count == 0)
        {
            whenAllSettled();
        }
    }

    private void Finish()
    {
        foreach (var deletion in _done)
        {
            var reason = deletion.Reason.ToWireName();
            _deletedByReason[reason] = _deletedByReason.GetValueOrDefault(reason) + 1;
            if (deletion.Reason == DeletionReason.FloorCritical)
            {
                _settings.Logger.LogCritical(
                    "Retention: free space is below the critical floor, so clip {ClipId} of {Camera} was deleted before it was stored ({Bytes} bytes)",
                    deletion.ClipId, deletion.Camera, deletion.Bytes);
            }
        }

        foreach (var (deletion, reason) in _failed)
        {
            _deletionFailures++;
            _log.Warning("Retention: could not delete the {0} copy of clip {1} ({2}); trying again at the next pass", deletion.Target.ToWireName(), deletion.ClipId, reason);
        }

        foreach (var volume in _plan.BelowCritical)
        {
            _settings.Logger.LogCritical("Retention: {Volume} is still below the critical floor after deleting every clip it may; new recordings may fail", volume);
        }

        var deletions = _pass.Request.DryRun ? _plan.Deletions : _done;
        if (!_pass.Request.DryRun && deletions.Count > 0)
        {
            _log.Info("Retention: deleted {0} cop{1} ({2:N0} bytes): {3}", deletions.Count, deletions.Count == 1 ? "y" : "ies", deletions.Sum(d => d.Bytes),
                string.Join(", ", deletions.GroupBy(d => d.Reason.ToWireName()).Select(g => $"{g.Count()} {g.Key}")));
        }

        _status = _status with
        {
            LastPassAt = _settings.Clock.GetUtcNow(),
            DeletedByReason = new Dictionary<string, long>(_deletedByReason, StringComparer.Ordinal),
            DeletionFailures = _deletionFailures,
        };
        _requester?.Tell(new RetentionPassReport(_pass.Request.DryRun, _survey.Clips.Count, [.. deletions], [.. _failed], _plan.KeptPendingUpload, _plan.BelowCritical,
            _surveyed?.Rechecked ?? 0, [.. (_surveyed?.RecheckFound ?? []).Select(f => f.ClipId)], _surveyed?.RecheckFailed ?? []));
        EndPass();
    }

    private void EndPass()
    {
        _requester = null;
        _surveyed = null;
        _survey = RetentionSurvey.Empty;
        _plan = RetentionPlan.Empty;
        _awaiting.Clear();
        _notDurable.Clear();
        _failed.Clear();
        _done.Clear();
        Become(Idle);
        Stash.UnstashAll();
    }

    /// <summary>While a pass runs: a request waits for it, timer ticks are dropped (the next one comes).</summary>
    private void Busy()
    {
        Receive<RunRetentionPass>(_ => Stash.Stash());
        Receive<Tick>(_ => { });
        Receive<FloorTick>(_ => { });
        Receive<FreeSpaceLooked>(_ => { });
        Receive<Clips.ClipProtocol.ClipsInFlight>(_ => { }); // an answer that came after its patience ran out
        Receive<ClipsDidNotAnswer>(_ => { });
        Common();
    }

    private void Common()
    {
        Receive<GetRetentionStatus>(_ => Sender.Tell(_status));
        Receive<ClipsStarted>(started => _clips = started.Clips);
    }

    /// <summary>A pass begins by asking the clip coordinator which clips wait for storage (they count as local bytes too).</summary>
    private void BeginPass(RunRetentionPass pass, IActorRef? requester)
    {
        _pass = pass;
        _requester = requester;
        if (_clips.IsNobody())
        {
            Survey([]);
            return;
        }

        _clips.Tell(Clips.ClipProtocol.GetClipsInFlight.Instance);
        Timers.StartSingleTimer(nameof(ClipsDidNotAnswer), ClipsDidNotAnswer.Instance, ClipsPatience);
        Become(AskingClips);
    }

    /// <summary>Not a hot path (one question per pass); when the coordinator does not answer in time the pass goes on without its waiting clips.</summary>
    private void AskingClips()
    {
        Receive<Clips.ClipProtocol.ClipsInFlight>(inFlight =>
        {
            Timers.Cancel(nameof(ClipsDidNotAnswer));
            Survey(inFlight.WaitingForStorage);
        });
        Receive<ClipsDidNotAnswer>(_ => Survey([]));
        Busy();
    }

    private void Survey(IReadOnlyList<ClipId> waitingForStorage)
    {
        var store = _settings.Store;
        var storage = _settings.Storage as ILocalFileStorage;
        var request = _pass.Request;
        var now = _settings.Clock.GetUtcNow();
        var stopping = _stopping.Token;
        Become(Surveying);
        SurveyAsync(store, storage, waitingForStorage, request, now, stopping).PipeTo(Self, success: s => s, failure: ex => new SurveyFailed(ex));
    }

    private static async Task<Surveyed> SurveyAsync(ClipStore store, ILocalFileStorage? storage, IReadOnlyList<ClipId> waitingForStorage, CleanupRequest request,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var states = await store.FinishedClipsAsync(request.Camera, cancellationToken);
        var waiting = (await store.StatesAsync(waitingForStorage, cancellationToken))
            .Where(s => request.Camera is null || s.CameraName == request.Camera).ToList();
        var survey = await Task.Run(() => RetentionSurvey.Measure(states, storage, Disks.Current(), waiting), cancellationToken);
        if (request.Recheck is not { } recheck)
        {
            return new Surveyed(survey, [], new HashSet<ClipId>(), [], 0);
        }

        var candidates = RetentionPlanner.RecheckCandidates(survey.Clips, now, request.OlderThan);
        var found = new List<(ClipId, Core.Alerts.FilterResult)>();
        var empty = new HashSet<ClipId>();
        var failed = new List<(ClipId, string)>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var clip = candidates[i];
            try
            {
                var result = await recheck.DetectAsync(new RecordedClip(clip.ClipId, clip.Camera, clip.LocalPath, clip.RecordedAt, clip.RecordedAt, clip.LocalBytes ?? 0), cancellationToken);
                if (result.DetectedClasses.Count == 0)
                {
                    empty.Add(clip.ClipId);
                }
                else
                {
                    found.Add((clip.ClipId, result));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed.Add((clip.ClipId, ex.Message));
            }

            request.Progress?.Report((i + 1, candidates.Count));
        }

        return new Surveyed(survey, found, empty, failed, candidates.Count);
    }

    private RetentionPlan Plan(Surveyed surveyed)
    {
        var request = _pass.Request;
        if (request.Recheck is not null)
        {
            return RetentionPlanner.PlanRecheck(surveyed.Survey.Clips, surveyed.RecheckEmpty);
        }

        var config = request.OlderThan is { } age ? _settings.Config.WithLocalMaxAge(age) : _settings.Config;
        return RetentionPlanner.Plan(surveyed.Survey.Clips, config, surveyed.Survey.Volumes, _settings.Clock.GetUtcNow());
    }

    private void LookAtFreeSpace()
    {
        var volumes = _status.Volumes.Select(v => v.MountPoint).ToList();
        Task.Run(() => new FreeSpaceLooked([.. volumes.Select(Disks.Space).OfType<VolumeSpace>()])).PipeTo(Self);
    }

    private sealed record ClipsDidNotAnswer
    {
        public static ClipsDidNotAnswer Instance { get; } = new();
    }

    private sealed record Tick
    {
        public static Tick Instance { get; } = new();
    }

    private sealed record FloorTick
    {
        public static FloorTick Instance { get; } = new();
    }

    private sealed record FreeSpaceLooked(IReadOnlyList<VolumeSpace> Volumes);

    private sealed record Surveyed(
        RetentionSurvey Survey,
        IReadOnlyList<(ClipId ClipId, Core.Alerts.FilterResult Result)> RecheckFound,
        IReadOnlySet<ClipId> RecheckEmpty,
        IReadOnlyList<(ClipId ClipId, string Reason)> RecheckFailed,
        int Rechecked);

    private sealed record SurveyFailed(Exception Error);

    private sealed record DeletionsCarriedOut(IReadOnlyList<Deletion> Done, IReadOnlyList<(Deletion Deletion, string Reason)> Failed);
}

/// <param name="RunScheduledPasses">False for <c>homesec cleanup</c>, which asks for one pass itself.</param>
/// <param name="Logger">For the Critical lines (Akka's own log has no such level).</param>
public sealed record RetentionSettings(
    RetentionConfig Config,
    ClipStore Store,
    IStorageBackend Storage,
    string StoragePlugin,
    ILogger Logger,
    TimeProvider Clock,
    bool RunScheduledPasses = true)
{
    /// <summary>The first pass waits a little (at most 30 s), so it does not compete with resuming clips at start.</summary>
    public TimeSpan FirstPassDelay => Config.CheckInterval < TimeSpan.FromSeconds(30) ? Config.CheckInterval : TimeSpan.FromSeconds(30);
}
