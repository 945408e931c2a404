using Akka.Actor;
using HomeSec.Actors.Workers;
using HomeSec.Core.Alerts.Gate;
using HomeSec.Core.Clips.Workflow;

namespace HomeSec.Actors.Clips;

/// <summary>
/// <c>clips</c>: how many clips run at once and the rules every clip's workflow decides by (the stages'
/// plugin names and deadline, trigger classes, alert policy, retries), made once from the config.
/// </summary>
public sealed record ClipSettings(WorkflowRules Rules, int MaxClipsInFlight, TimeProvider Clock)
{
    /// <summary>The alert gate (armed mode, zones, cooldowns) every clip's alert decision passes; null: the policy's decision stands.</summary>
    public AlertGate? Gate { get; init; }

    /// <summary>How long shutdown waits for clips in flight (below the phase timeout in hocon/homesec.conf).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A worker that never answers is given up on after the longest stage timeout plus this margin.</summary>
    public static TimeSpan StageDeadlineFor(WorkerPoolSettings workers) => workers.LongestTimeout + TimeSpan.FromSeconds(30);

    public ClipPipeline Pipeline(WorkerPoolsReady pools, IActorRef repository) => new(
        pools.Uploads, pools.Filters, pools.Vlm, pools.Notify, repository, Rules, Clock)
    {
        Outboxes = pools.Outboxes,
        Gate = Gate,
    };
}
