using Akka.Actor;
using Akka.Event;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using static HomeSec.Actors.Clips.ClipProtocol;
using static HomeSec.Actors.Repository.RepositoryProtocol;
using static HomeSec.Actors.Workers.WorkerProtocol;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Actors.Clips;

/// <summary>
/// Drives one clip through the pipeline: upload and filter in parallel, the VLM only when a trigger
/// class was seen, the alert policy, then notification once the upload has finished (so the alert
/// carries view_url, or upload_failed). Every step is an event folded into <see cref="ClipState"/>;
/// <see cref="Advance"/> reads that state and starts whatever is due, so a clip resumed after a
/// restart skips what its journal says is done. Failures are values: retried with backoff, then given up.
/// </summary>
public sealed class ClipSupervisor : ReceiveActor, IWithTimers, IWithStash
{
    private static readonly TimeSpan HistoryWait = TimeSpan.FromSeconds(5);
    private const string HistoryTimerKey = "history";

    private readonly RecordedClip _clip;
    private readonly ClipPipeline _pipeline;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Stage, int> _attempts = [];
    private readonly HashSet<Stage> _active = [];
    private readonly HashSet<string> _notifiersGivenUp = new(StringComparer.Ordinal);
    private ClipState _state;
    private Alert? _alert;
    private bool _loadHistory;

    public ClipSupervisor(RecordedClip clip, ClipPipeline pipeline)
    {
        _clip = clip;
        _pipeline = pipeline;
        _state = ClipState.Empty(clip.ClipId);
        _loadHistory = clip.Resumed;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props Props(RecordedClip clip, ClipPipeline pipeline) => Akka.Actor.Props.Create(() => new ClipSupervisor(clip, pipeline));

    protected override void PreStart()
    {
        if (_loadHistory)
        {
            Become(LoadingHistory);
            _pipeline.Repository.Tell(new LoadClipHistory(_clip.ClipId));
            Timers.StartSingleTimer(HistoryTimerKey, HistoryTimedOut.Instance, HistoryWait);
            return;
        }

        Become(Running);
        RecordClipRecorded();
        Advance();
    }

    /// <summary>After a crash the new instance does not know what was done: it reads the journal first.</summary>
    protected override void PostRestart(Exception reason)
    {
        _loadHistory = true;
        base.PostRestart(reason);
    }

    private void LoadingHistory()
    {
        Receive<ClipHistory>(history =>
        {
            Timers.Cancel(HistoryTimerKey);
            _state = history.State ?? _state;
            ResumeFromHistory();
        });
        Receive<HistoryTimedOut>(_ =>
        {
            _log.Warning("Journal of clip {0} did not answer within {1}; resuming without its history", _clip.ClipId, HistoryWait);
            ResumeFromHistory();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void ResumeFromHistory()
    {
        if (_state.IsFinished)
        {
            Context.Parent.Tell(new ClipProcessed(_clip.ClipId, _state.Status));
            Context.Stop(Self);
            return;
        }

        if (_state.CameraName is null)
        {
            RecordClipRecorded();
        }

        Stash.UnstashAll();
        Become(Running);
        Advance();
    }

    private void Running()
    {
        Receive<UploadResult>(r => IsCurrent(Stage.Upload, r.Attempt), OnUploadResult);
        Receive<FilterStageResult>(r => IsCurrent(Stage.Filter, r.Attempt), OnFilterResult);
        Receive<VlmStageResult>(r => IsCurrent(Stage.Vlm, r.Attempt), OnVlmResult);
        Receive<NotifyResult>(r => IsCurrent(Stage.Notify, r.Attempt), OnNotifyResult);
        Receive<RetryStage>(retry =>
        {
            _active.Remove(retry.Stage);
            Advance();
        });
        Receive<StageDeadlinePassed>(d => IsCurrent(d.Stage, d.Attempt), OnDeadlinePassed);
    }

    private void OnUploadResult(UploadResult result)
    {
        switch (result.Outcome)
        {
            case StageResult<StoredObject>.Success { Value: var stored }:
                Record(new UploadCompleted(_clip.ClipId, Now, _pipeline.StoragePlugin, stored.StorageUri, stored.ViewUrl));
                Finished(Stage.Upload);
                break;
            case StageResult<StoredObject>.Failure { Error: var error }:
                Failed(Stage.Upload, result.Attempt, error);
                break;
        }

        Advance();
    }

    private void OnFilterResult(FilterStageResult result)
    {
        switch (result.Outcome)
        {
            case StageResult<FilterResult>.Success { Value: var detected }:
                Record(new FilterCompleted(_clip.ClipId, Now, detected));
                Finished(Stage.Filter);
                break;
            case StageResult<FilterResult>.Failure { Error: var error }:
                Failed(Stage.Filter, result.Attempt, error);
                break;
        }

        Advance();
    }

    private void OnVlmResult(VlmStageResult result)
    {
        switch (result.Outcome)
        {
            case StageResult<AnalysisResult>.Success { Value: var analysis }:
                Record(new VlmCompleted(_clip.ClipId, Now, analysis));
                Finished(Stage.Vlm);
                break;
            case StageResult<AnalysisResult>.Failure { Error: var error }:
                Failed(Stage.Vlm, result.Attempt, error);
                break;
        }

        Advance();
    }

    private void OnNotifyResult(NotifyResult result)
    {
        Timers.Cancel(DeadlineKey(Stage.Notify));
        var retrying = false;
        foreach (var outcome in result.Outcomes)
        {
            switch (outcome)
            {
                case StageResult<string>.Success { Value: var notifier }:
                    Record(new NotificationSent(_clip.ClipId, Now, notifier));
                    break;
                case StageResult<string>.Failure { Error: var error }:
                    var rejected = error.Exception is DeliveryRejectedException;
                    var willRetry = !rejected && result.Attempt < _pipeline.Retry.MaxAttempts;
                    // Out of retries but not rejected: the notifier is down, so its outbox keeps the alert.
                    var outbox = willRetry || rejected || _alert is null ? null : _pipeline.Outboxes.GetValueOrDefault(error.Plugin);
                    Record(new NotificationFailed(_clip.ClipId, Now, error.Plugin, result.Attempt, error.Describe(), willRetry || outbox is not null));
                    LogFailure(error, result.Attempt, willRetry, outbox is not null);
                    retrying |= willRetry;
                    if (!willRetry)
                    {
                        _notifiersGivenUp.Add(error.Plugin);
                    }

                    if (outbox is not null)
                    {
                        outbox.Tell(new Workers.Outbox.OutboxProtocol.QueueAlert(_alert!));
                        Record(new NotificationQueued(_clip.ClipId, Now, error.Plugin, error.Message));
                    }

                    break;
            }
        }

        if (retrying)
        {
            Timers.StartSingleTimer(RetryKey(Stage.Notify), new RetryStage(Stage.Notify), _pipeline.Retry.DelayBefore(result.Attempt + 1));
        }
        else
        {
            _active.Remove(Stage.Notify);
        }

        Advance();
    }

    private void OnDeadlinePassed(StageDeadlinePassed deadline)
    {
        var timeout = new TimeoutException($"no reply from the {deadline.Stage.ToWireName()} workers within {_pipeline.StageDeadline.TotalSeconds:0} s");
        if (deadline.Stage == Stage.Notify)
        {
            OnNotifyResult(new NotifyResult(_clip.ClipId, deadline.Attempt,
                PendingNotifiers().Select(n => StageResult<string>.Fail(new NotifyError(_clip.ClipId, n, timeout))).ToList()));
            return;
        }

        Failed(deadline.Stage, deadline.Attempt, deadline.Stage switch
        {
            Stage.Upload => new UploadError(_clip.ClipId, _pipeline.StoragePlugin, timeout),
            Stage.Filter => new FilterError(_clip.ClipId, _pipeline.FilterPlugin, timeout),
            _ => new VlmError(_clip.ClipId, _pipeline.VlmPlugin ?? "none", timeout),
        });
        Advance();
    }

    /// <summary>Starts whatever the state says is due next; finishes the clip when nothing is left.</summary>
    private void Advance()
    {
        var uploadDone = _state.StorageUri is not null || _state.UploadFailed;
        var filterDone = _state.Filter is not null || _state.GaveUp(Stage.Filter);
        var analysisDone = _state.Analysis is not null || _state.VlmSkippedReason is not null || _state.GaveUp(Stage.Vlm);

        if (!uploadDone && !_active.Contains(Stage.Upload))
        {
            Start(Stage.Upload, attempt => new StartUpload(_clip, attempt), _pipeline.Uploads);
            Record(new UploadStarted(_clip.ClipId, Now, _pipeline.StoragePlugin, Attempt(Stage.Upload)));
        }

        if (!filterDone && !_active.Contains(Stage.Filter))
        {
            Start(Stage.Filter, attempt => new StartFilter(_clip, attempt), _pipeline.Filters);
            Record(new FilterStarted(_clip.ClipId, Now, _pipeline.FilterPlugin, Attempt(Stage.Filter)));
        }

        if (filterDone && !analysisDone && !_active.Contains(Stage.Vlm))
        {
            if (ReasonToSkipVlm() is { } reason)
            {
                Record(new VlmSkipped(_clip.ClipId, Now, reason));
                analysisDone = true;
            }
            else
            {
                Start(Stage.Vlm, attempt => new StartVlm(_clip, _state.Filter!, attempt), _pipeline.Vlm!);
                Record(new VlmStarted(_clip.ClipId, Now, _pipeline.VlmPlugin!, Attempt(Stage.Vlm)));
            }
        }

        if (analysisDone && _state.AlertDecision is null)
        {
            Record(new AlertDecisionMade(_clip.ClipId, Now, Decide()));
        }

        var notify = _state.AlertDecision?.Notify == true;
        if (notify && uploadDone && PendingNotifiers().Count > 0 && !_active.Contains(Stage.Notify))
        {
            var alert = _alert = BuildAlert(_state.AlertDecision!);
            var pending = PendingNotifiers();
            Start(Stage.Notify, attempt => new SendAlert(alert, pending, attempt), _pipeline.Notify);
        }

        if (uploadDone && _state.AlertDecision is not null && (!notify || PendingNotifiers().Count == 0) && _active.Count == 0)
        {
            Record(new ClipCompleted(_clip.ClipId, Now, HadErrors: !_state.Errors.IsEmpty));
            Context.Parent.Tell(new ClipProcessed(_clip.ClipId, _state.Status));
            Context.Stop(Self);
        }
    }

    private string? ReasonToSkipVlm()
    {
        if (_state.Filter is not { } filter)
        {
            return "the filter failed";
        }

        if (filter.TriggeredBy(_pipeline.TriggerClasses).Count == 0)
        {
            return filter.MotionOnly
                ? "no detector configured (filter: none)"
                : $"no trigger class ({string.Join(", ", _pipeline.TriggerClasses)}) detected; saw: {(filter.DetectedClasses.Count == 0 ? "nothing" : string.Join(", ", filter.DetectedClasses))}";
        }

        return _pipeline.Vlm is null ? "vlm disabled (vlm: none)" : null;
    }

    private AlertDecision Decide()
    {
        var vlmError = _state.Errors.LastOrDefault(e => e.Stage == Stage.Vlm.ToWireName());
        var noAnalysisReason = _state.VlmSkippedReason ?? (vlmError is null ? null : $"vlm failed: {vlmError.Message}");
        var input = new AlertInput(_clip.CameraName, _state.Filter, _state.Analysis, noAnalysisReason, _pipeline.TriggerClasses);
        return _pipeline.AlertPolicy.Decide(input, _pipeline.PerCameraAlert.GetValueOrDefault(_clip.CameraName));
    }

    private Alert BuildAlert(AlertDecision decision) => new(
        _clip.ClipId,
        _clip.CameraName,
        _state.StorageUri,
        _state.ViewUrl,
        _state.Analysis?.RiskLevel,
        _state.Analysis?.ActivityType,
        decision.Reason,
        _state.Analysis?.Summary,
        _clip.StartedAt,
        _state.UploadFailed);

    private List<string> PendingNotifiers() =>
        _pipeline.Notifiers.Where(n => !_state.NotifiedBy.Contains(n) && !_state.QueuedFor.Contains(n) && !_notifiersGivenUp.Contains(n)).ToList();

    private void Start(Stage stage, Func<int, object> job, IActorRef workers)
    {
        var attempt = _attempts[stage] = Attempt(stage) + 1;
        _active.Add(stage);
        workers.Tell(job(attempt));
        Timers.StartSingleTimer(DeadlineKey(stage), new StageDeadlinePassed(stage, attempt), _pipeline.StageDeadline);
    }

    private void Finished(Stage stage)
    {
        Timers.Cancel(DeadlineKey(stage));
        _active.Remove(stage);
    }

    private void Failed(Stage stage, int attempt, StageError error)
    {
        Timers.Cancel(DeadlineKey(stage));
        var willRetry = attempt < _pipeline.Retry.MaxAttempts;
        var info = error.Describe();
        Record(stage switch
        {
            Stage.Upload => new UploadFailed(_clip.ClipId, Now, attempt, info, willRetry),
            Stage.Filter => new FilterFailed(_clip.ClipId, Now, attempt, info, willRetry),
            Stage.Vlm => new VlmFailed(_clip.ClipId, Now, attempt, info, willRetry),
            _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "notify failures are per notifier"),
        });
        LogFailure(error, attempt, willRetry);
        if (willRetry)
        {
            Timers.StartSingleTimer(RetryKey(stage), new RetryStage(stage), _pipeline.Retry.DelayBefore(attempt + 1));
        }
        else
        {
            _active.Remove(stage);
        }
    }

    private void LogFailure(StageError error, int attempt, bool willRetry, bool queued = false) =>
        _log.Warning(error.Exception, "{0} of clip {1} failed: {2}", error.Stage.ToWireName(), error.ClipId,
            $"plugin {error.Plugin}, attempt {attempt}/{_pipeline.Retry.MaxAttempts}, {(willRetry ? "retrying" : queued ? "kept in its outbox" : "giving up")}: {error.Message}");

    private void RecordClipRecorded() => Record(new ClipRecorded(_clip.ClipId, Now, _clip.CameraName, _clip.LocalPath,
        _clip.StartedAt, _clip.EndedAt, _clip.SizeBytes));

    private void Record(IClipEvent evt)
    {
        _state = _state.Apply(evt);
        _pipeline.Repository.Tell(evt);
    }

    private int Attempt(Stage stage) => _attempts.GetValueOrDefault(stage);

    private bool IsCurrent(Stage stage, int attempt) => _active.Contains(stage) && Attempt(stage) == attempt;

    private DateTimeOffset Now => _pipeline.Clock.GetUtcNow();

    private static string DeadlineKey(Stage stage) => $"deadline-{stage}";

    private static string RetryKey(Stage stage) => $"retry-{stage}";

    private sealed record RetryStage(Stage Stage);

    private sealed record StageDeadlinePassed(Stage Stage, int Attempt);

    private sealed record HistoryTimedOut
    {
        public static HistoryTimedOut Instance { get; } = new();
    }
}
