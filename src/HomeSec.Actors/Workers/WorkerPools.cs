using Akka.Actor;
using HomeSec.Actors.Workers.Outbox;

namespace HomeSec.Actors.Workers;

/// <summary>
/// The parent of the stage workers (<c>workers/upload</c>, <c>workers/filter</c>, <c>workers/vlm</c>,
/// <c>workers/notify</c>, each running up to its <c>*_workers</c> jobs at once) and of one outbox per notifier (<c>workers/outbox-{name}</c>). It tells its
/// parent the pools once they exist.
/// </summary>
public sealed class WorkerPools : ReceiveActor
{
    public const string Dispatcher = "homesec.worker-dispatcher";

    public WorkerPools(WorkerPoolSettings settings, IActorRef repository)
    {
        var uploads = StartStage(UploadWorker.Props(settings.Storage, settings.StoragePlugin, settings.StorageTimeout, settings.UploadWorkers), "upload");
        var filters = StartStage(FilterWorker.Props(settings.Filter, settings.FilterPlugin, settings.FilterTimeout, settings.FilterWorkers, settings.Storage, settings.TriggerClasses), "filter");
        var vlm = settings.Vlm is { } analyzer
            ? StartStage(VlmWorker.Props(analyzer, settings.VlmPlugin!, settings.VlmTimeout, settings.Storage, settings.VlmWorkers), "vlm")
            : null;
        var notify = StartStage(NotifyWorker.Props(settings.Notifiers, settings.NotifyTimeout, settings.NotifyWorkers), "notify");
        var outboxes = settings.Outbox is { } outbox
            ? settings.Notifiers.ToDictionary(
                n => n.Name,
                n => Context.ActorOf(NotifierOutbox.Props(n, outbox, repository, settings.Clock).WithDispatcher(Dispatcher), NotifierOutbox.ActorName(n.Name)),
                StringComparer.Ordinal)
            : new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        Ready = new WorkerPoolsReady(uploads, filters, vlm, notify) { Outboxes = outboxes };
    }

    private WorkerPoolsReady Ready { get; }

    public static Props Props(WorkerPoolSettings settings, IActorRef repository) => Akka.Actor.Props.Create(() => new WorkerPools(settings, repository));

    protected override void PreStart() => Context.Parent.Tell(Ready);

    /// <summary>Workers catch plugin failures themselves; one that still throws has a bug and is restarted.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Restart);

    /// <summary>One actor per stage, running its jobs with bounded parallelism (see <see cref="StageWorker{TJob,TValue}"/>).</summary>
    private static IActorRef StartStage(Props stage, string name) => Context.ActorOf(stage.WithDispatcher(Dispatcher), name);
}

public sealed record WorkerPoolsReady(IActorRef Uploads, IActorRef Filters, IActorRef? Vlm, IActorRef Notify)
{
    /// <summary>The outbox of each notifier, by notifier name (empty when outboxes are off).</summary>
    public IReadOnlyDictionary<string, IActorRef> Outboxes { get; init; } = new Dictionary<string, IActorRef>();
}

public sealed record WorkerPoolSettings(
    HomeSec.Core.Plugins.IStorageBackend Storage,
    string StoragePlugin,
    TimeSpan StorageTimeout,
    int UploadWorkers,
    HomeSec.Core.Plugins.IObjectFilter Filter,
    string FilterPlugin,
    TimeSpan FilterTimeout,
    int FilterWorkers,
    HomeSec.Core.Plugins.IVlmAnalyzer? Vlm,
    string? VlmPlugin,
    TimeSpan VlmTimeout,
    int VlmWorkers,
    IReadOnlyList<NamedNotifier> Notifiers,
    TimeSpan NotifyTimeout,
    int NotifyWorkers)
{
    /// <summary>Where each notifier's undelivered alerts wait; null: no outbox (alerts are given up after the retries).</summary>
    public HomeSec.Core.Config.OutboxConfig? Outbox { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary><c>filter.trigger_classes</c>: the snapshot shows the best detection of one of them.</summary>
    public IReadOnlyCollection<string> TriggerClasses { get; init; } = [];
}
