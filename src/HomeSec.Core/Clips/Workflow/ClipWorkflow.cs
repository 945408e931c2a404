using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using static HomeSec.Core.Clips.ClipEvents;
using static HomeSec.Core.Clips.Workflow.WorkflowCommand;
using static HomeSec.Core.Clips.Workflow.WorkflowInput;

namespace HomeSec.Core.Clips.Workflow;

/// <summary>
/// The decisions of one clip's pipeline as a pure function: progress + input → events + commands.
/// No clock (the time comes in), no I/O, no actors: the ClipSupervisor persists the events, carries
/// out the commands and feeds back what comes of them.
/// <para>The rules:</para>
/// <list type="bullet">
/// <item>Upload and filter start at once, in parallel. The VLM runs only when the filter saw a trigger class.</item>
/// <item>A failed filter or VLM attempt is retried with backoff up to <c>retry.max_attempts</c>, then given up
/// (the filter-only policy decides). Uploads are never given up: they are retried with backoff (capped at
/// <c>retry.max_backoff_s</c>) until the clip is stored, also across restarts.</item>
/// <item>The alert waits for the upload (so it carries view_url), but for at most the retry budget of failed
/// upload attempts: then it goes out with upload_failed.</item>
/// <item>Durability contract: the alert decision is durable before the first send (an alert whose delivery
/// is unknown after a crash is sent again, with the same dedupe_key), and clip_completed with all events before it
/// is durable before the source may mark the clip done.</item>
/// </list>
/// </summary>
public static class ClipWorkflow
{
    /// <summary>The reason of a final alert that stands a fast alert down (its clip turned out harmless).</summary>
    public const string StandDownPrefix = "stand down: ";

    public static WorkflowDecision Decide(ClipProgress progress, WorkflowInput input, WorkflowRules rules, DateTimeOffset now)
    {
        var step = new Step(progress, rules, now);
        switch (input)
        {
            case Started:
                step.RecordClipRecorded();
                break;
            case Resumed resumed:
                if (step.Resume(resumed.History))
                {
                    return step.Result();
                }

                break;
            case UploadSucceeded s when progress.IsAwaiting(Stage.Upload, s.Attempt):
                step.Settle(Stage.Upload);
                step.Record(new UploadCompleted(progress.Clip.ClipId, now, rules.StoragePlugin, s.Stored.StorageUri, s.Stored.ViewUrl));
                break;
            case FilterSucceeded s when progress.IsAwaiting(Stage.Filter, s.Attempt):
                step.Settle(Stage.Filter);
                step.Record(new FilterCompleted(progress.Clip.ClipId, now, s.Result));
                break;
            case VlmSucceeded s when progress.IsAwaiting(Stage.Vlm, s.Attempt):
                step.Settle(Stage.Vlm);
                step.Record(new VlmCompleted(progress.Clip.ClipId, now, s.Result));
                break;
            case StageFailed f when f.Error.Stage != Stage.Notify && progress.IsAwaiting(f.Error.Stage, f.Attempt):
                step.Fail(f.Error, f.Attempt);
                break;
            case NotifyFinished n when progress.IsAwaiting(Stage.Notify, n.Attempt):
                step.Notified(n.Attempt, n.Outcomes);
                break;
            case DeadlinePassed d when progress.IsAwaiting(d.Stage, d.Attempt):
                step.DeadlinePassed(d.Stage, d.Attempt);
                break;
            case RetryDue r when progress.RetryPending.Contains(r.Stage):
                step.RetryDue(r.Stage);
                break;
            case EventsDurable:
                if (step.Durable())
                {
                    return step.Result();
                }

                break;
            case EventsLost lost:
                step.Command(new Abandon(lost.Reason));
                return step.Result();
            case AlertGated gated when progress.GateAsked && progress.State.AlertDecision is null:
                step.Record(new AlertDecisionMade(progress.Clip.ClipId, now, gated.Decision));
                break;
            case LocalCopyGivenUp given when progress.Parked && progress.Waiting != DurabilityWait.Finish && progress.State.StorageUri is null:
                step.GiveUpLocalCopy(given);
                return step.Result();
            default:
                return new WorkflowDecision(progress, [], []); // a stale reply or timer: nothing changes
        }

        step.Advance();
        return step.Result();
    }

    /// <summary>One decision in the making: the progress as it changes, and what it emits.</summary>
    private sealed class Step(ClipProgress progress, WorkflowRules rules, DateTimeOffset now)
    {
        private readonly List<IClipEvent> _events = [];
        private readonly List<WorkflowCommand> _commands = [];
        private ClipProgress _progress = progress;

        private ClipState State => _progress.State;

        private RecordedClip Clip => _progress.Clip;

        public WorkflowDecision Result() => new(_progress, _events, _commands);

        public void Record(IClipEvent evt)
        {
            _events.Add(evt);
            _progress = _progress with { State = State.Apply(evt) };
        }

        public void Command(WorkflowCommand command) => _commands.Add(command);

        public void RecordClipRecorded() => Record(new ClipRecorded(Clip.ClipId, now, Clip.CameraName, Clip.LocalPath,
            Clip.StartedAt, Clip.EndedAt, Clip.SizeBytes));

        /// <returns>True when the clip was already finished: nothing more to do.</returns>
        public bool Resume(ClipState? history)
        {
            if (history is not null)
            {
                // Read back from the journal, so the decision in it is durable.
                _progress = _progress with { State = history, AlertIntentDurable = history.AlertDecision is not null };
            }

            if (State.IsFinished)
            {
                Command(new Finish(State.Status));
                return true;
            }

            if (State.CameraName is null)
            {
                RecordClipRecorded();
            }

            return false;
        }

        public void Settle(Stage stage)
        {
            Command(new CancelDeadline(stage));
            _progress = _progress with { InFlight = _progress.InFlight.Remove(stage) };
        }

        public void Fail(StageError error, int attempt)
        {
            Settle(error.Stage);
            var stage = error.Stage;
            var willRetry = stage == Stage.Upload || attempt < rules.Retry.MaxAttempts;
            var info = error.Describe();
            Record(stage switch
            {
                Stage.Upload => new UploadFailed(Clip.ClipId, now, attempt, info, willRetry),
                Stage.Filter => new FilterFailed(Clip.ClipId, now, attempt, info, willRetry),
                Stage.Vlm => new VlmFailed(Clip.ClipId, now, attempt, info, willRetry),
                _ => throw new ArgumentOutOfRangeException(nameof(error), stage, "notify failures are per notifier"),
            });
            Command(new ReportFailure(error, attempt, willRetry ? FailureOutcome.Retrying : FailureOutcome.GivingUp));
            if (willRetry)
            {
                ScheduleRetry(stage, attempt);
            }
        }

        public void Notified(int attempt, IReadOnlyList<StageResult<string>> outcomes)
        {
            Settle(Stage.Notify);
            var retrying = false;
            TimeSpan? receiverAsksToWait = null;
            foreach (var outcome in outcomes)
            {
                switch (outcome)
                {
                    case StageResult<string>.Success { Value: var notifier }:
                        Record(new NotificationSent(Clip.ClipId, now, notifier));
                        break;
                    case StageResult<string>.Failure { Error: var error }:
                        var rejected = error.Exception is DeliveryRejectedException;
                        var willRetry = !rejected && attempt < rules.Retry.MaxAttempts;
                        // Out of retries but not rejected: the notifier is down, so its outbox keeps the alert.
                        var toOutbox = !willRetry && !rejected && rules.NotifiersWithOutbox.Contains(error.Plugin) && State.AlertDecision is not null;
                        Record(new NotificationFailed(Clip.ClipId, now, error.Plugin, attempt, error.Describe(), willRetry || toOutbox));
                        Command(new ReportFailure(error, attempt,
                            willRetry ? FailureOutcome.Retrying : toOutbox ? FailureOutcome.KeptInOutbox : FailureOutcome.GivingUp));
                        retrying |= willRetry;
                        if (willRetry && error.Exception is DeliveryDeferredException { RetryAfter: { } asked } && !(receiverAsksToWait >= asked))
                        {
                            receiverAsksToWait = asked;
                        }

                        if (toOutbox)
                        {
                            Command(new QueueInOutbox(error.Plugin, BuildAlert(State.AlertDecision!)));
                            Record(new NotificationQueued(Clip.ClipId, now, error.Plugin, error.Message));
                        }

                        break;
                }
            }

            if (retrying)
            {
                ScheduleRetry(Stage.Notify, attempt, receiverAsksToWait);
            }
        }

        public void DeadlinePassed(Stage stage, int attempt)
        {
            var timeout = new TimeoutException($"no reply from the {stage.ToWireName()} workers within {rules.StageDeadline.TotalSeconds:0.#} s");
            if (stage == Stage.Notify)
            {
                Notified(attempt, PendingNotifiers().Select(n => StageResult<string>.Fail(new NotifyError(Clip.ClipId, n, timeout))).ToList());
                return;
            }

            Fail(stage switch
            {
                Stage.Upload => new UploadError(Clip.ClipId, rules.StoragePlugin, timeout),
                Stage.Filter => new FilterError(Clip.ClipId, rules.FilterPlugin, timeout),
                _ => new VlmError(Clip.ClipId, rules.VlmPlugin ?? "none", timeout),
            }, attempt);
        }

        /// <summary>
        /// The local file goes before the clip was stored: no more uploads (a running one's reply is stale from here), and the
        /// clip finishes — completed with errors, then deleted, so its status ends as deleted.
        /// </summary>
        public void GiveUpLocalCopy(LocalCopyGivenUp given)
        {
            Settle(Stage.Upload);
            _progress = _progress with { RetryPending = _progress.RetryPending.Remove(Stage.Upload), Waiting = DurabilityWait.Finish };
            Record(new ClipCompleted(Clip.ClipId, now, HadErrors: true));
            Record(new ClipDeleted(Clip.ClipId, now, given.Reason, "local", given.Bytes));
            Command(new AwaitDurable());
        }

        public void RetryDue(Stage stage) => _progress = _progress with { RetryPending = _progress.RetryPending.Remove(stage) };

        /// <returns>True when the clip is finished (nothing more to advance).</returns>
        public bool Durable()
        {
            switch (_progress.Waiting)
            {
                case DurabilityWait.AlertIntent:
                    _progress = _progress with { Waiting = DurabilityWait.None, AlertIntentDurable = true };
                    return false;
                case DurabilityWait.Finish:
                    Command(new Finish(State.Status));
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>Starts whatever the state says is due next; finishes the clip when nothing is left.</summary>
        public void Advance()
        {
            if (_progress.Waiting == DurabilityWait.Finish)
            {
                return;
            }

            var uploadDone = State.StorageUri is not null;
            var uploadOverdue = State.UploadFailures >= rules.Retry.MaxAttempts;
            var filterDone = State.Filter is not null || State.GaveUp(Stage.Filter);
            var analysisDone = State.Analysis is not null || State.VlmSkippedReason is not null || State.GaveUp(Stage.Vlm);

            if (!uploadDone && !_progress.IsActive(Stage.Upload))
            {
                Start(Stage.Upload, attempt => new UploadStarted(Clip.ClipId, now, rules.StoragePlugin, attempt));
            }

            if (!filterDone && !_progress.IsActive(Stage.Filter))
            {
                Start(Stage.Filter, attempt => new FilterStarted(Clip.ClipId, now, rules.FilterPlugin, attempt));
            }

            if (filterDone && !analysisDone && !_progress.IsActive(Stage.Vlm))
            {
                if (ReasonToSkipVlm() is { } reason)
                {
                    Record(new VlmSkipped(Clip.ClipId, now, reason));
                    analysisDone = true;
                }
                else
                {
                    Start(Stage.Vlm, attempt => new VlmStarted(Clip.ClipId, now, rules.VlmPlugin!, attempt));
                }
            }

            if (analysisDone && State.AlertDecision is null && !_progress.GateAsked && State.DetectionAlertReason is not null)
            {
                // The fast alert already went out: the final one is its update, so it always follows (never held back
                // by the gate's cooldown, which the fast alert itself started); a harmless clip makes it the all-clear.
                var decision = DecideAlert();
                Record(new AlertDecisionMade(Clip.ClipId, now, decision.Notify
                    ? decision
                    : new AlertDecision(true, $"{StandDownPrefix}{decision.Reason}") { Zones = decision.Zones }));
            }
            else if (analysisDone && State.AlertDecision is null && !_progress.GateAsked)
            {
                if (rules.GateAlerts)
                {
                    _progress = _progress with { GateAsked = true };
                    Command(new GateAlert(new Alerts.Gate.AlertProposal(Clip.CameraName, DecideAlert(), State.Filter, State.Analysis?.RiskLevel, rules.TriggerClasses)));
                }
                else
                {
                    Record(new AlertDecisionMade(Clip.ClipId, now, DecideAlert()));
                }
            }

            var notify = State.AlertDecision?.Notify == true;
            var pending = PendingNotifiers();
            if (notify && (uploadDone || uploadOverdue) && pending.Count > 0 && !_progress.IsActive(Stage.Notify))
            {
                if (_progress.AlertIntentDurable)
                {
                    var attempt = State.Attempt(Stage.Notify) + 1;
                    _progress = _progress with { InFlight = _progress.InFlight.SetItem(Stage.Notify, attempt) };
                    Command(new SendAlert(BuildAlert(State.AlertDecision!), pending, attempt));
                }
                else if (_progress.Waiting == DurabilityWait.None)
                {
                    _progress = _progress with { Waiting = DurabilityWait.AlertIntent };
                    Command(new AwaitDurable());
                }
            }

            var onlyStorageLeft = State.AlertDecision is not null && (!notify || pending.Count == 0)
                && !_progress.IsActive(Stage.Filter) && !_progress.IsActive(Stage.Vlm) && !_progress.IsActive(Stage.Notify);
            if (onlyStorageLeft && !uploadDone && uploadOverdue && !_progress.Parked)
            {
                _progress = _progress with { Parked = true };
                Command(new OnlyStorageLeft());
            }

            if (onlyStorageLeft && uploadDone && !_progress.IsActive(Stage.Upload))
            {
                Record(new ClipCompleted(Clip.ClipId, now, HadErrors: FailedItsPurpose()));
                _progress = _progress with { Waiting = DurabilityWait.Finish };
                Command(new AwaitDurable());
            }
        }

        private void Start(Stage stage, Func<int, IClipEvent> started)
        {
            var attempt = State.Attempt(stage) + 1;
            Record(started(attempt));
            _progress = _progress with { InFlight = _progress.InFlight.SetItem(stage, attempt) };
            Command(new RunStage(stage, attempt));
        }

        /// <param name="atLeast">What a receiver asked for (Retry-After): waited, but never longer than retry.max_backoff_s,
        /// because the clip stays in flight meanwhile (the outbox, which takes over after the last retry, waits likewise).</param>
        private void ScheduleRetry(Stage stage, int failedAttempt, TimeSpan? atLeast = null)
        {
            _progress = _progress with { RetryPending = _progress.RetryPending.Add(stage) };
            var delay = rules.Retry.DelayBefore(failedAttempt + 1);
            if (atLeast is { } asked && asked > delay)
            {
                delay = asked < rules.Retry.MaxBackoff ? asked : (rules.Retry.MaxBackoff > delay ? rules.Retry.MaxBackoff : delay);
            }

            Command(new WorkflowCommand.ScheduleRetry(stage, delay));
        }

        private string? ReasonToSkipVlm()
        {
            if (State.Filter is not { } filter)
            {
                return "the filter failed";
            }

            if (filter.TriggeredBy(rules.TriggerClasses).Count == 0)
            {
                return filter.MotionOnly
                    ? "no detector configured (filter: none)"
                    : $"no trigger class ({string.Join(", ", rules.TriggerClasses)}) detected; saw: {(filter.DetectedClasses.Count == 0 ? "nothing" : string.Join(", ", filter.DetectedClasses))}";
            }

            return rules.VlmPlugin is null ? "vlm disabled (vlm: none)" : null;
        }

        /// <summary>
        /// A clip ends <c>error</c> only when it was not checked (the filter gave up) or its alert did not reach a notifier
        /// (one gave up on it). A VLM failure is recorded (vlm_failed, the errors of the clip) but the clip is done: the
        /// filter-only policy decided and its alert went out as designed, so <c>clips list --status done</c> shows it.
        /// A clip that could not be stored never gets here: it waits for storage, or ends <c>deleted</c>.
        /// </summary>
        private bool FailedItsPurpose() => State.Errors.Any(e => e.Stage != Stage.Vlm.ToWireName());

        private AlertDecision DecideAlert()
        {
            var vlmError = State.Errors.LastOrDefault(e => e.Stage == Stage.Vlm.ToWireName());
            var noAnalysisReason = State.VlmSkippedReason ?? (vlmError is null ? null : NoAnalysisReasons.ForVlmFailure(vlmError));
            var input = new AlertInput(Clip.CameraName, State.Filter, State.Analysis, noAnalysisReason, rules.TriggerClasses);
            return rules.AlertPolicy.Decide(input);
        }

        private Alert BuildAlert(AlertDecision decision) => new Alert(
            Clip.ClipId,
            Clip.CameraName,
            State.StorageUri,
            rules.ViewUrlFor(Clip.ClipId, State.ViewUrl),
            State.Analysis?.RiskLevel,
            State.Analysis?.ActivityType,
            decision.Reason,
            State.Analysis?.Summary,
            Clip.StartedAt,
            UploadFailed: State.StorageUri is null)
        {
            SnapshotUri = State.Filter?.Snapshot?.StorageUri,
            SnapshotPath = State.Filter?.Snapshot?.LocalPath,
            Zones = decision.Zones,
            StandDown = decision.Reason.StartsWith(StandDownPrefix, StringComparison.Ordinal),
            DetectedClasses = State.Filter?.TriggeredBy(rules.TriggerClasses) is { Count: > 0 } seen ? seen : null,
        };

        private List<string> PendingNotifiers() => rules.Notifiers
            .Where(n => !rules.DetectedOnlyNotifiers.Contains(n))
            .Where(n => !State.NotifiedBy.Contains(n) && !State.QueuedFor.Contains(n) && !State.NotifiersGivenUp.Contains(n))
            .ToList();
    }
}
