using Akka.Actor;
using HomeSec.Actors.Workers.Outbox;

namespace HomeSec.Actors.Workers;

/// <summary>
/// The parent of the stage workers (<c>workers/upload</c>, <c>workers/filter</c>, <c>workers/vlm</c>,
/// <c>workers/notify</c>, each running up to its <c>*_workers</c> jobs at once) and of one outbox per notifier (<c>workers/outbox-{name}</c>). It answers
/// the clip coordinator's question for the pools, and the status questions about stages and outboxes.
/// </summary>
public sealed class WorkerPools : ReceiveActor
{
    public const string Dispatcher = "homesec.worker-dispatcher";

    public WorkerPools(WorkerPoolSettings settings, IActorRef repository)
    {
        var (storage, filter, analyzer, notifiers) = settings;
        var uploads = StartStage(UploadWorker.Props(storage.Plugin, storage.PluginName, storage.Timeout, storage.Workers), "upload");
        var filters = StartStage(FilterWorker.Props(filter.Plugin, filter.PluginName, filter.Timeout, filter.Workers, storage.Plugin, filter.TriggerClasses, filter.ReuseLiveDetections), "filter");
        var vlm = analyzer is not null
            ? StartStage(VlmWorker.Props(analyzer.Plugin, analyzer.PluginName, analyzer.Timeout, storage.Plugin, analyzer.Workers), "vlm")
            : null;
        var notify = StartStage(NotifyWorker.Props(notifiers.Notifiers, notifiers.Timeout, notifiers.Workers), "notify");
        var outboxes = notifiers.Outbox is { } outbox
            ? notifiers.Notifiers.ToDictionary(
                n => n.Name,
                n => Context.ActorOf(NotifierOutbox.Props(n, outbox, repository, settings.Clock).WithDispatcher(Dispatcher), NotifierOutbox.ActorName(n.Name)),
                StringComparer.Ordinal)
            : new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        Ready = new WorkerPoolsReady(uploads, filters, vlm, notify) { Outboxes = outboxes };
        Receive<WorkerProtocol.GetPools>(_ => Sender.Tell(Ready));
        Receive<OutboxProtocol.GetNotifierOutboxes>(_ => Sender.Tell(new OutboxProtocol.NotifierOutboxes(Ready.Outboxes)));
        Receive<WorkerProtocol.GetStages>(_ => Sender.Tell(new WorkerProtocol.Stages(Ready.Stages)));
    }

    private WorkerPoolsReady Ready { get; }

    public static Props Props(WorkerPoolSettings settings, IActorRef repository) => Akka.Actor.Props.Create(() => new WorkerPools(settings, repository));

    /// <summary>Workers catch plugin failures themselves; one that still throws has a bug and is restarted.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Restart);

    /// <summary>One actor per stage, running its jobs with bounded parallelism (see <see cref="StageWorker{TJob,TValue}"/>).</summary>
    private static IActorRef StartStage(Props stage, string name) => Context.ActorOf(stage.WithDispatcher(Dispatcher), name);
}

public sealed record WorkerPoolsReady(IActorRef Uploads, IActorRef Filters, IActorRef? Vlm, IActorRef Notify)
{
    /// <summary>The outbox of each notifier, by notifier name (empty when outboxes are off).</summary>
    public IReadOnlyDictionary<string, IActorRef> Outboxes { get; init; } = new Dictionary<string, IActorRef>();

    /// <summary>The stage actors by stage wire name (no <c>vlm</c> when the VLM is disabled).</summary>
    public IReadOnlyDictionary<string, IActorRef> Stages
    {
        get
        {
            var stages = new Dictionary<string, IActorRef>(StringComparer.Ordinal)
            {
                ["upload"] = Uploads,
                ["filter"] = Filters,
                ["notify"] = Notify,
            };
            if (Vlm is { } vlm)
            {
                stages["vlm"] = vlm;
            }

            return stages;
        }
    }
}

/// <summary>The four stages the worker pools run; <paramref name="Vlm"/> is null when the VLM is disabled.</summary>
public sealed record WorkerPoolSettings(StorageStageSettings Storage, FilterStageSettings Filter, VlmStageSettings? Vlm, NotifyStageSettings Notify)
{
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The longest any stage may take by its own timeout (the clip supervisor's deadline sits above it).</summary>
    public TimeSpan LongestTimeout => new[] { Storage.Timeout, Filter.Timeout, Vlm?.Timeout ?? TimeSpan.Zero, Notify.Timeout }.Max();
}

/// <summary><c>workers/upload</c>: the storage plugin, its name (for stage errors), <c>storage.timeout_s</c> and <c>upload_workers</c>.</summary>
public sealed record StorageStageSettings(HomeSec.Core.Plugins.IStorageBackend Plugin, string PluginName, TimeSpan Timeout, int Workers);

/// <summary><c>workers/filter</c>: the filter plugin, <c>filter.timeout_s</c> and <c>filter_workers</c>.</summary>
public sealed record FilterStageSettings(HomeSec.Core.Plugins.IObjectFilter Plugin, string PluginName, TimeSpan Timeout, int Workers)
{
    /// <summary>live_detection.reuse_for_filter: a clip whose recording live detection covered is not decoded again.</summary>
    public bool ReuseLiveDetections { get; init; }

    /// <summary><c>filter.trigger_classes</c>: the snapshot shows the best detection of one of them.</summary>
    public IReadOnlyCollection<string> TriggerClasses { get; init; } = [];
}

/// <summary><c>workers/vlm</c>: the analyzer plugin, <c>vlm.timeout_s</c> and <c>vlm_workers</c>.</summary>
public sealed record VlmStageSettings(HomeSec.Core.Plugins.IVlmAnalyzer Plugin, string PluginName, TimeSpan Timeout, int Workers);

/// <summary><c>workers/notify</c> and the outboxes: the notifiers, how long one fan-out may take and <c>notify_workers</c>.</summary>
public sealed record NotifyStageSettings(IReadOnlyList<NamedNotifier> Notifiers, TimeSpan Timeout, int Workers)
{
    /// <summary>Where each notifier's undelivered alerts wait; null: no outbox (alerts are given up after the retries).</summary>
    public HomeSec.Core.Config.OutboxConfig? Outbox { get; init; }
}
