using Akka.Actor;
using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Retention;
using HomeSec.Actors.Workers;

namespace HomeSec.Actors;

/// <summary>
/// <c>/user/homesec</c>: starts the actor tree in dependency order (repository, workers, clips,
/// cameras) and answers the questions the HTTP API and CLI ask by forwarding them.
/// </summary>
public sealed class HomeSecRoot : ReceiveActor, IWithStash
{
    private readonly HomeSecSettings _settings;
    private readonly IActorRef _repository;
    private IActorRef _clips = ActorRefs.Nobody;
    private IActorRef _cameras = ActorRefs.Nobody;
    private IReadOnlyDictionary<string, IActorRef> _outboxes = new Dictionary<string, IActorRef>();
    private readonly IActorRef? _inference;
    private readonly IActorRef? _retention;
    private WorkerPoolsReady? _stages;

    public HomeSecRoot(HomeSecSettings settings)
    {
        _settings = settings;
        _repository = Context.ActorOf(ClipRepository.Props(settings.Repository), "repository");
        _inference = StartInference(settings.Inference);
        Context.ActorOf(WorkerPools.Props(settings.Workers, _repository), "workers");
        _retention = settings.Retention is { } retention ? Context.ActorOf(RetentionActor.Props(retention, _repository), "retention") : null;
        Become(Starting);
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(HomeSecSettings settings) => Akka.Actor.Props.Create(() => new HomeSecRoot(settings));

    /// <summary><c>inference</c>: a router pool of inference actors, when a filter plugin asked for a detector.</summary>
    private static IActorRef? StartInference(InferenceClient client)
    {
        if (client.Requested is not { } requested)
        {
            return null;
        }

        var pool = Context.ActorOf(InferenceActor.Props(requested.Model, requested.Options)
            .WithRouter(new Akka.Routing.RoundRobinPool(requested.Options.Workers)), "inference");
        var replies = Context.ActorOf(InferenceReplies.Props(client), "inference-replies");
        client.Bind(pool, replies);
        return pool;
    }

    private void Starting()
    {
        Receive<WorkerPoolsReady>(pools =>
        {
            var pipeline = _settings.Pipeline(pools, _repository);
            _outboxes = pools.Outboxes;
            _stages = pools;
            _clips = Context.ActorOf(ClipCoordinator.Props(pipeline, _settings.MaxClipsInFlight), "clips");
            _retention?.Tell(new RetentionProtocol.ClipsStarted(_clips));
            _cameras = Context.ActorOf(CameraManager.Props(_settings.Cameras, _clips, _settings.CameraBackoff, _settings.RunningSources), "cameras");
            Stash.UnstashAll();
            Become(Running);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Running()
    {
        Receive<CameraProtocol.GetCamerasHealth>(query => _cameras.Forward(query));
        Receive<ClipProtocol.GetClipsInFlight>(query => _clips.Forward(query));
        Receive<ClipProtocol.DrainClips>(drain => _clips.Forward(drain));
        Receive<RepositoryProtocol.GetStoreHealth>(query => _repository.Forward(query));
        Receive<RetentionProtocol.GetRetentionStatus>(query =>
        {
            if (_retention is null)
            {
                Sender.Tell(RetentionProtocol.RetentionStatus.Disabled);
            }
            else
            {
                _retention.Forward(query);
            }
        });
        Receive<Workers.Outbox.OutboxProtocol.GetNotifierOutboxes>(_ => Sender.Tell(new Workers.Outbox.OutboxProtocol.NotifierOutboxes(_outboxes)));
        Receive<InferenceProtocol.GetInferenceStatus>(query =>
        {
            if (_inference is null)
            {
                Sender.Tell(InferenceProtocol.InferenceStatus.Disabled);
            }
            else
            {
                Context.ActorOf(InferenceStatusGatherer.Props(_inference, _settings.Inference.Requested?.Options.Workers ?? 1, Sender));
            }
        });
        Receive<WorkerProtocol.GetStages>(_ =>
        {
            var stages = new Dictionary<string, IActorRef>(StringComparer.Ordinal)
            {
                ["upload"] = _stages!.Uploads,
                ["filter"] = _stages.Filters,
                ["notify"] = _stages.Notify,
            };
            if (_stages.Vlm is { } vlm)
            {
                stages["vlm"] = vlm;
            }

            Sender.Tell(new WorkerProtocol.Stages(stages));
        });
    }
}
