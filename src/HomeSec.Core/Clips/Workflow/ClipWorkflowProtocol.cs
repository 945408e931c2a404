using HomeSec.Core.Alerts;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;

namespace HomeSec.Core.Clips.Workflow;

/// <summary>The fixed rules of the clip workflow, made once from the config.</summary>
/// <param name="NotifiersWithOutbox">Notifiers whose on-disk outbox keeps an alert they failed every retry of.</param>
public sealed record WorkflowRules(
    string StoragePlugin,
    string FilterPlugin,
    string? VlmPlugin,
    IReadOnlyList<string> Notifiers,
    IReadOnlyCollection<string> TriggerClasses,
    IAlertPolicy AlertPolicy,
    RetryConfig Retry,
    IReadOnlySet<string> NotifiersWithOutbox,
    TimeSpan StageDeadline)
{
    /// <summary>The policy's decision goes through the alert gate (armed mode, required zones, cooldown) before it is recorded.</summary>
    public bool GateAlerts { get; init; }

    /// <summary>Notifiers that deliver the fast alert (<c>phases</c> has <c>detected</c>), in config order.</summary>
    public IReadOnlyList<string> DetectedPhaseNotifiers { get; init; } = [];

    /// <summary>Notifiers that deliver only the fast alert (<c>phases: [detected]</c>): the final one skips them.</summary>
    public IReadOnlySet<string> DetectedOnlyNotifiers { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary><c>web.public_url</c>: alerts link to the clip's page there instead of the storage's link.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>The link an alert carries: the web UI's clip page when it has a public address, else what storage gave.</summary>
    public string? ViewUrlFor(ClipId clipId, string? storageViewUrl) =>
        PublicUrl is { } url ? $"{url.AbsoluteUri.TrimEnd('/')}/clips/{Uri.EscapeDataString(clipId.Value)}" : storageViewUrl;
}

/// <summary>What happens to a clip: the start, a stage's reply, a timer, the journal's confirmation.</summary>
public abstract record WorkflowInput
{
    /// <summary>A clip handed over for the first time.</summary>
    public sealed record Started : WorkflowInput;

    /// <param name="History">What the journal knows of the clip; null when it could not be read.</param>
    public sealed record Resumed(ClipState? History) : WorkflowInput;

    public sealed record UploadSucceeded(int Attempt, StoredObject Stored) : WorkflowInput;

    public sealed record FilterSucceeded(int Attempt, FilterResult Result) : WorkflowInput;

    public sealed record VlmSucceeded(int Attempt, AnalysisResult Result) : WorkflowInput;

    /// <summary>An upload, filter or VLM attempt failed (notify failures come per notifier in <see cref="NotifyFinished"/>).</summary>
    public sealed record StageFailed(int Attempt, StageError Error) : WorkflowInput;

    /// <param name="Outcomes">One per notifier asked: success carries the notifier's name.</param>
    public sealed record NotifyFinished(int Attempt, IReadOnlyList<StageResult<string>> Outcomes) : WorkflowInput;

    public sealed record RetryDue(Stage Stage) : WorkflowInput;

    /// <summary>The stage's worker did not answer in time: the attempt counts as failed.</summary>
    public sealed record DeadlinePassed(Stage Stage, int Attempt) : WorkflowInput;

    /// <summary>Every event recorded so far is durable (in the journal, or fsync'd in the local spool).</summary>
    public sealed record EventsDurable : WorkflowInput;

    /// <summary>Some event of the clip could not be made durable (the spool was full).</summary>
    public sealed record EventsLost(string Reason) : WorkflowInput;

    /// <summary>
    /// Retention must delete the clip's local file although it is not stored yet (free space below the critical floor).
    /// Taken only while storing it is the only step left: the clip then stops uploading and finishes as deleted.
    /// </summary>
    public sealed record LocalCopyGivenUp(string Reason, long Bytes) : WorkflowInput;

    /// <summary>The alert gate's answer to <see cref="WorkflowCommand.GateAlert"/>: the decision to record.</summary>
    public sealed record AlertGated(AlertDecision Decision) : WorkflowInput;
}

/// <summary>What the clip's actor must do after a decision; it carries these out and decides nothing.</summary>
public abstract record WorkflowCommand
{
    /// <summary>Send the upload, filter or VLM job of this attempt to the stage's workers, with a deadline.</summary>
    public sealed record RunStage(Stage Stage, int Attempt) : WorkflowCommand;

    public sealed record SendAlert(Alert Alert, IReadOnlyList<string> Notifiers, int Attempt) : WorkflowCommand;

    public sealed record CancelDeadline(Stage Stage) : WorkflowCommand;

    public sealed record ScheduleRetry(Stage Stage, TimeSpan Delay) : WorkflowCommand;

    public sealed record QueueInOutbox(string Notifier, Alert Alert) : WorkflowCommand;

    public sealed record ReportFailure(StageError Error, int Attempt, FailureOutcome Outcome) : WorkflowCommand;

    /// <summary>Ask the alert gate about the policy's decision; it answers with <see cref="WorkflowInput.AlertGated"/>.</summary>
    public sealed record GateAlert(Alerts.Gate.AlertProposal Proposal) : WorkflowCommand;

    /// <summary>Ask the repository to answer once every event recorded so far is durable.</summary>
    public sealed record AwaitDurable : WorkflowCommand;

    /// <summary>Only storing the clip is left (uploads keep failing): the clip no longer needs a slot of the in-flight bound.</summary>
    public sealed record OnlyStorageLeft : WorkflowCommand;

    /// <summary>The clip is finished and its whole history durable: its source may mark it done.</summary>
    public sealed record Finish(ClipStatus Status) : WorkflowCommand;

    /// <summary>Stop without marking the clip done: its source hands it over again at the next start.</summary>
    public sealed record Abandon(string Reason) : WorkflowCommand;
}

public enum FailureOutcome
{
    Retrying,
    KeptInOutbox,
    GivingUp,
}

/// <summary>What the actor waits for from the journal before it may go on.</summary>
public enum DurabilityWait
{
    None,

    /// <summary>The alert decision (the intent to notify) must be durable before the first send.</summary>
    AlertIntent,

    /// <summary>clip_completed and everything before it must be durable before the source marks the clip done.</summary>
    Finish,
}

/// <summary>The result of one decision: the new progress, the events to persist (in order) and the commands to carry out.</summary>
public sealed record WorkflowDecision(ClipProgress Progress, IReadOnlyList<IClipEvent> Events, IReadOnlyList<WorkflowCommand> Commands);
