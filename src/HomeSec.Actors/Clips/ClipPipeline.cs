using Akka.Actor;
using HomeSec.Core.Clips.Workflow;
using HomeSec.Core.Config;

namespace HomeSec.Actors.Clips;

/// <summary>Everything a <see cref="ClipSupervisor"/> works with: the worker pools, the repository and the rules.</summary>
/// <param name="Vlm">Null when the VLM is disabled.</param>
/// <param name="Rules">The rules the clip workflow decides by, made once from the config.</param>
public sealed record ClipPipeline(
    IActorRef Uploads,
    IActorRef Filters,
    IActorRef? Vlm,
    IActorRef Notify,
    IActorRef Repository,
    WorkflowRules Rules,
    TimeProvider Clock)
{
    private readonly IReadOnlyDictionary<string, IActorRef> _outboxes = new Dictionary<string, IActorRef>();
    private readonly HomeSec.Core.Alerts.Gate.AlertGate? _gate;

    /// <summary>The armed mode, zones and cooldowns every alert decision passes; null: the policy's decision stands.</summary>
    public HomeSec.Core.Alerts.Gate.AlertGate? Gate
    {
        get => _gate;
        init
        {
            _gate = value;
            Rules = Rules with { GateAlerts = value is not null };
        }
    }

    /// <summary>
    /// Each notifier's outbox: where an alert goes when the notifier failed every retry. The rules learn from it
    /// which notifiers keep such alerts, so the two cannot disagree.
    /// </summary>
    public IReadOnlyDictionary<string, IActorRef> Outboxes
    {
        get => _outboxes;
        init
        {
            _outboxes = value;
            Rules = Rules with { NotifiersWithOutbox = value.Keys.ToHashSet(StringComparer.Ordinal) };
        }
    }

    public RetryConfig Retry => Rules.Retry;

    /// <summary>How long the supervisor waits for any worker's reply before treating the attempt as failed
    /// (a safety net above the workers' own plugin timeouts).</summary>
    public TimeSpan StageDeadline => Rules.StageDeadline;
}
