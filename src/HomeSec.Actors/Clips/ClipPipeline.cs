using Akka.Actor;
using HomeSec.Core.Clips.Workflow;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;

namespace HomeSec.Actors.Clips;

/// <summary>Everything a <see cref="ClipSupervisor"/> works with: the worker pools, the repository and the rules.</summary>
/// <param name="Vlm">Null when the VLM is disabled.</param>
/// <param name="StageDeadline">How long the supervisor waits for any worker's reply before treating the attempt as failed
/// (a safety net above the workers' own plugin timeouts).</param>
public sealed record ClipPipeline(
    IActorRef Uploads,
    IActorRef Filters,
    IActorRef? Vlm,
    IActorRef Notify,
    IActorRef Repository,
    string StoragePlugin,
    string FilterPlugin,
    string? VlmPlugin,
    IReadOnlyList<string> Notifiers,
    IReadOnlyCollection<string> TriggerClasses,
    IAlertPolicy AlertPolicy,
    RetryConfig Retry,
    TimeSpan StageDeadline,
    TimeProvider Clock)
{
    /// <summary>Each notifier's outbox: where an alert goes when the notifier failed every retry.</summary>
    public IReadOnlyDictionary<string, IActorRef> Outboxes { get; init; } = new Dictionary<string, IActorRef>();

    /// <summary>The rules the clip workflow decides by.</summary>
    public WorkflowRules Rules => new(StoragePlugin, FilterPlugin, VlmPlugin, Notifiers, TriggerClasses, AlertPolicy, Retry,
        Outboxes.Keys.ToHashSet(StringComparer.Ordinal), StageDeadline);
}
