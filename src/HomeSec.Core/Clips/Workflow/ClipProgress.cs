using System.Collections.Immutable;
using HomeSec.Core.Results;

namespace HomeSec.Core.Clips.Workflow;

/// <summary>
/// One clip's place in the workflow: its state folded from its events (what is durable knowledge) and
/// what is only true while this process runs (attempts awaiting a reply, retries waiting for their
/// timer, a wait for the journal). After a restart the transient part starts empty and the state comes
/// from the journal, so retries continue at the attempt the events recorded.
/// </summary>
public sealed record ClipProgress
{
    public required RecordedClip Clip { get; init; }

    public required ClipState State { get; init; }

    /// <summary>Stages with an attempt sent to their workers, and that attempt's number.</summary>
    public ImmutableDictionary<Stage, int> InFlight { get; init; } = ImmutableDictionary<Stage, int>.Empty;

    /// <summary>Stages whose last attempt failed and whose retry timer runs.</summary>
    public ImmutableHashSet<Stage> RetryPending { get; init; } = [];

    /// <summary>Whether the alert decision is known to be durable (then alerts may be sent).</summary>
    public bool AlertIntentDurable { get; init; }

    public DurabilityWait Waiting { get; init; } = DurabilityWait.None;

    /// <summary>The policy's decision went to the alert gate; its answer is awaited.</summary>
    public bool GateAsked { get; init; }

    /// <summary>The actor was told that only storing is left.</summary>
    public bool Parked { get; init; }

    public static ClipProgress For(RecordedClip clip) => new()
    {
        Clip = clip,
        State = ClipState.Empty(clip.ClipId) with { DetectionAlertReason = clip.DetectionAlertReason },
    };

    public bool IsActive(Stage stage) => InFlight.ContainsKey(stage) || RetryPending.Contains(stage);

    /// <summary>A reply counts only for the attempt the workflow is waiting for; older ones (after a deadline) are ignored.</summary>
    public bool IsAwaiting(Stage stage, int attempt) => InFlight.TryGetValue(stage, out var current) && current == attempt;
}
