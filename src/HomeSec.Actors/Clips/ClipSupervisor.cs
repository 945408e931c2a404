using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Metrics;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Clips.Workflow;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using static HomeSec.Actors.Clips.ClipProtocol;
using static HomeSec.Actors.Repository.RepositoryProtocol;
using static HomeSec.Actors.Workers.WorkerProtocol;
using static HomeSec.Core.Clips.Workflow.WorkflowCommand;
using static HomeSec.Core.Clips.Workflow.WorkflowInput;

namespace HomeSec.Actors.Clips;

/// <summary>
/// Carries one clip through the pipeline. It decides nothing itself: every message becomes a
/// <see cref="WorkflowInput"/> for <see cref="ClipWorkflow.Decide"/>, whose events it sends to the
/// repository (in order, one stream per clip) and whose commands it carries out — jobs to the stage
/// workers with a deadline, retry timers, the outbox, the wait for durability, and finally telling
/// the coordinator the clip is processed, which lets its source mark it done. That last step comes
/// only after the repository said every event of the clip is durable (the durability contract).
/// </summary>
public sealed class ClipSupervisor : ReceiveActor, IWithTimers, IWithStash
{
    private static readonly TimeSpan HistoryWait = TimeSpan.FromSeconds(5);
    private const int MaxHistoryAsks = 12;

    /// <summary>The repository keeps a durability request until it can answer; asking again covers a repository restart.</summary>
    private static readonly TimeSpan DurableAskAgain = TimeSpan.FromSeconds(5);

    private const string HistoryTimerKey = "history";
    private const string DurableTimerKey = "durable";

    private readonly RecordedClip _clip;
    private readonly ClipPipeline _pipeline;
    private readonly WorkflowRules _rules;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HomeSecMetrics _metrics = HomeSecMetrics.Of(Context.System);
    private ClipProgress _progress;
    private IActorRef? _releaseRequester;
    private bool _loadHistory;
    private int _historyAsks;

    public ClipSupervisor(RecordedClip clip, ClipPipeline pipeline)
    {
        _clip = clip;
        _pipeline = pipeline;
        _rules = pipeline.Rules;
        _progress = ClipProgress.For(clip);
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
        Handle(new Started());
    }

    /// <summary>The camera's zones the detected objects stood in, so the VLM hears where ("at the porch"), not only what.</summary>
    private FilterResult WithZones(FilterResult filter)
    {
        if (_pipeline.Gate?.RulesOf(_clip.CameraName) is not { Zones.Count: > 0 } rules || filter.FrameWidth is not { } width || filter.FrameHeight is not { } height)
        {
            return filter;
        }

        var zones = (filter.Frames ?? []).SelectMany(f => f.Boxes)
            .SelectMany(box => rules.Zones.Where(z => z.Contains(box, width, height)).Select(z => z.Name))
            .Distinct(StringComparer.Ordinal).ToList();
        return filter with { ZonesSeen = zones };
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
            Resume(history.State);
        });
        Receive<HistoryTimedOut>(_ =>
        {
            // Resuming without the history would redo finished steps (a second clip_completed, a second alert), so a
            // slow journal is asked again. Only when the repository says the database is down (a null history)
            // does the clip go on without it, so that P0 never waits for the database.
            _historyAsks++;
            if (_historyAsks >= MaxHistoryAsks)
            {
                _log.Warning("Journal of clip {0} did not answer {1} times in a row; resuming without its history", _clip.ClipId, _historyAsks);
                Resume(null);
                return;
            }

            _log.Info("Journal of clip {0} did not answer within {1}; asking again", _clip.ClipId, HistoryWait);
            _pipeline.Repository.Tell(new LoadClipHistory(_clip.ClipId));
            Timers.StartSingleTimer(HistoryTimerKey, HistoryTimedOut.Instance, HistoryWait);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Resume(ClipState? history)
    {
        Become(Running);
        Stash.UnstashAll();
        Handle(new Resumed(history));
    }

    private void Running()
    {
        Receive<UploadResult>(r => Handle(r.Outcome switch
        {
            StageResult<StoredObject>.Success s => new UploadSucceeded(r.Attempt, s.Value),
            StageResult<StoredObject>.Failure f => new StageFailed(r.Attempt, f.Error),
            _ => throw new InvalidOperationException($"unexpected outcome {r.Outcome}"),
        }));
        Receive<FilterStageResult>(r => Handle(r.Outcome switch
        {
            StageResult<FilterResult>.Success s => new FilterSucceeded(r.Attempt, s.Value),
            StageResult<FilterResult>.Failure f => new StageFailed(r.Attempt, f.Error),
            _ => throw new InvalidOperationException($"unexpected outcome {r.Outcome}"),
        }));
        Receive<VlmStageResult>(r => Handle(r.Outcome switch
        {
            StageResult<AnalysisResult>.Success s => new VlmSucceeded(r.Attempt, s.Value),
            StageResult<AnalysisResult>.Failure f => new StageFailed(r.Attempt, f.Error),
            _ => throw new InvalidOperationException($"unexpected outcome {r.Outcome}"),
        }));
        Receive<NotifyResult>(r => Handle(new NotifyFinished(r.Attempt, r.Outcomes)));
        Receive<StageJobQueued>(q =>
        {
            if (_progress.IsAwaiting(q.Stage, q.Attempt))
            {
                Timers.Cancel(DeadlineKey(q.Stage));
            }
        });
        Receive<StageJobStarted>(s =>
        {
            if (_progress.IsAwaiting(s.Stage, s.Attempt))
            {
                StartDeadline(s.Stage, s.Attempt);
            }
        });
        Receive<RetryTimer>(t => Handle(new RetryDue(t.Stage)));
        Receive<DeadlineTimer>(t => Handle(new DeadlinePassed(t.Stage, t.Attempt)));
        Receive<ClipDurable>(_ =>
        {
            Timers.Cancel(DurableTimerKey);
            Handle(new EventsDurable());
        });
        Receive<ClipNotDurable>(lost =>
        {
            Timers.Cancel(DurableTimerKey);
            Handle(new EventsLost(lost.Reason));
        });
        Receive<AskDurableAgain>(_ => _pipeline.Repository.Tell(new AwaitClipDurable(_clip.ClipId)));
        Receive<ReleaseLocalCopy>(release =>
        {
            var taken = Decide(new LocalCopyGivenUp(release.Reason, release.Bytes));
            if (taken)
            {
                _releaseRequester = Sender;
                _log.Warning("Clip {0} was never stored and its local file is deleted: free space is below the critical floor", _clip.ClipId);
            }
            else
            {
                Sender.Tell(new LocalCopyNotReleased(_clip.ClipId, "the clip is not only waiting for storage"));
            }
        });
    }

    private void Handle(WorkflowInput input) => Decide(input);

    /// <returns>Whether the input changed anything (recorded an event or asked for a command).</returns>
    private bool Decide(WorkflowInput input)
    {
        var decision = ClipWorkflow.Decide(_progress, input, _rules, _pipeline.Clock.GetUtcNow());
        _progress = decision.Progress;
        foreach (var evt in decision.Events)
        {
            _pipeline.Repository.Tell(evt);
            if (evt is HomeSec.Core.Clips.ClipEvents.AlertDecisionMade { Decision.Notify: true })
            {
                _metrics.AlertRaised(_clip.CameraName);
            }
        }

        foreach (var command in decision.Commands)
        {
            Carry(command);
        }

        return decision.Events.Count > 0 || decision.Commands.Count > 0;
    }

    private void Carry(WorkflowCommand command)
    {
        switch (command)
        {
            case RunStage { Stage: Stage.Upload } run:
                Dispatch(Stage.Upload, run.Attempt, _pipeline.Uploads, new StartUpload(_clip, run.Attempt));
                break;
            case RunStage { Stage: Stage.Filter } run:
                Dispatch(Stage.Filter, run.Attempt, _pipeline.Filters, new StartFilter(_clip, run.Attempt));
                break;
            case RunStage { Stage: Stage.Vlm } run:
                Dispatch(Stage.Vlm, run.Attempt, _pipeline.Vlm!, new StartVlm(_clip, WithZones(_progress.State.Filter!), run.Attempt));
                break;
            case WorkflowCommand.SendAlert send:
                Dispatch(Stage.Notify, send.Attempt, _pipeline.Notify, new Workers.WorkerProtocol.SendAlert(send.Alert, send.Notifiers, send.Attempt));
                break;
            case CancelDeadline cancel:
                Timers.Cancel(DeadlineKey(cancel.Stage));
                break;
            case ScheduleRetry retry:
                Timers.StartSingleTimer(RetryKey(retry.Stage), new RetryTimer(retry.Stage), retry.Delay);
                break;
            case QueueInOutbox queue when _pipeline.Outboxes.TryGetValue(queue.Notifier, out var outbox):
                outbox.Tell(new Workers.Outbox.OutboxProtocol.QueueAlert(queue.Alert));
                break;
            case ReportFailure failure:
                LogFailure(failure);
                break;
            case GateAlert gate:
                // In memory and under a lock, no I/O: answered at once, as the next input.
                Handle(new AlertGated(_pipeline.Gate!.Decide(gate.Proposal, _pipeline.Clock.GetUtcNow())));
                break;
            case AwaitDurable:
                _pipeline.Repository.Tell(new AwaitClipDurable(_clip.ClipId));
                Timers.StartPeriodicTimer(DurableTimerKey, AskDurableAgain.Instance, DurableAskAgain);
                break;
            case OnlyStorageLeft:
                Context.Parent.Tell(new ClipWaitingForStorage(_clip.ClipId));
                break;
            case Finish finish:
                _metrics.ClipFinished(_clip.CameraName, finish.Status);
                Context.Parent.Tell(new ClipProcessed(_clip.ClipId, finish.Status));
                _releaseRequester?.Tell(new LocalCopyReleased(_clip.ClipId));
                Context.Stop(Self);
                break;
            case Abandon abandon:
                _log.Error("Clip {0} could not be recorded durably ({1}); it is not marked done and is processed again at the next start", _clip.ClipId, abandon.Reason);
                _releaseRequester?.Tell(new LocalCopyNotReleased(_clip.ClipId, abandon.Reason));
                Context.Stop(Self);
                break;
            default:
                throw new InvalidOperationException($"the clip workflow asked for {command}, which the supervisor does not know");
        }
    }

    private void Dispatch(Stage stage, int attempt, IActorRef workers, object job)
    {
        workers.Tell(job);
        StartDeadline(stage, attempt);
    }

    private void StartDeadline(Stage stage, int attempt) =>
        Timers.StartSingleTimer(DeadlineKey(stage), new DeadlineTimer(stage, attempt), _pipeline.StageDeadline);

    private void LogFailure(ReportFailure failure)
    {
        var error = failure.Error;
        var what = failure.Outcome switch
        {
            FailureOutcome.Retrying => "retrying",
            FailureOutcome.KeptInOutbox => "kept in its outbox",
            _ => "giving up",
        };
        var attempt = error.Stage == Stage.Upload
            ? $"{failure.Attempt} (uploads are retried until stored)"
            : $"{failure.Attempt}/{_pipeline.Retry.MaxAttempts}";
        _log.Warning(error.Exception, "{0} of clip {1} failed: plugin {2}, attempt {3}, {4}: {5}",
            error.Stage.ToWireName(), error.ClipId, error.Plugin, attempt, what, error.Message);
    }

    private static string DeadlineKey(Stage stage) => $"deadline-{stage}";

    private static string RetryKey(Stage stage) => $"retry-{stage}";

    private sealed record RetryTimer(Stage Stage);

    private sealed record DeadlineTimer(Stage Stage, int Attempt);

    private sealed record HistoryTimedOut
    {
        public static HistoryTimedOut Instance { get; } = new();
    }

    private sealed record AskDurableAgain
    {
        public static AskDurableAgain Instance { get; } = new();
    }
}
