using Akka.Actor;
using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Repository;
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

    public HomeSecRoot(HomeSecSettings settings)
    {
        _settings = settings;
        _repository = Context.ActorOf(ClipRepository.Props(settings.Repository), "repository");
        Context.ActorOf(WorkerPools.Props(settings.Workers, _repository), "workers");
        Become(Starting);
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(HomeSecSettings settings) => Akka.Actor.Props.Create(() => new HomeSecRoot(settings));

    private void Starting()
    {
        Receive<WorkerPoolsReady>(pools =>
        {
            var pipeline = _settings.Pipeline(pools, _repository);
            _clips = Context.ActorOf(ClipCoordinator.Props(pipeline, _settings.MaxClipsInFlight), "clips");
            _cameras = Context.ActorOf(CameraManager.Props(_settings.Cameras, _clips, _settings.CameraBackoff), "cameras");
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
    }
}
