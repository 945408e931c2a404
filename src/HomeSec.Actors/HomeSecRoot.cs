using Akka.Actor;
using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Retention;
using HomeSec.Actors.Workers;

namespace HomeSec.Actors;

/// <summary>
/// <c>/user/homesec</c>: the one address the HTTP API and CLI ask. Each part of the tree is started by its own
/// hosting extension (see <c>HomeSecAkkaExtensions.AddHomeSec</c>); this actor only forwards the questions to
/// the part that knows, so callers need not know how the tree is cut.
/// </summary>
public sealed class HomeSecRoot : ReceiveActor
{
    public HomeSecRoot(HomeSecParts parts)
    {
        Receive<CameraProtocol.GetCamerasHealth>(query => parts.Cameras.Forward(query));
        Receive<ClipProtocol.GetClipsInFlight>(query => parts.Clips.Forward(query));
        Receive<ClipProtocol.DrainClips>(drain => parts.Clips.Forward(drain));
        Receive<RepositoryProtocol.GetStoreHealth>(query => parts.Repository.Forward(query));
        Receive<Workers.Outbox.OutboxProtocol.GetNotifierOutboxes>(query => parts.Workers.Forward(query));
        Receive<WorkerProtocol.GetStages>(query => parts.Workers.Forward(query));
        Receive<RetentionProtocol.GetRetentionStatus>(query =>
        {
            if (parts.Retention is { } retention)
            {
                retention.Forward(query);
            }
            else
            {
                Sender.Tell(RetentionProtocol.RetentionStatus.Disabled);
            }
        });
        Receive<InferenceProtocol.GetInferenceStatus>(_ =>
        {
            if (parts.Inference is { } inference)
            {
                Context.ActorOf(InferenceStatusGatherer.Props(inference.Pool, inference.Workers, Sender));
            }
            else
            {
                Sender.Tell(InferenceProtocol.InferenceStatus.Disabled);
            }
        });
    }

    public static Props Props(HomeSecParts parts) => Akka.Actor.Props.Create(() => new HomeSecRoot(parts));
}

/// <summary>The started parts of the tree the root forwards to.</summary>
/// <param name="Retention">Null without a state store.</param>
/// <param name="Inference">Null when no inference pool runs; else the pool and how many actors it has.</param>
public sealed record HomeSecParts(
    IActorRef Repository,
    IActorRef Workers,
    IActorRef Clips,
    IActorRef Cameras,
    IActorRef? Retention,
    (IActorRef Pool, int Workers)? Inference);
