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
/// the part that knows, so callers need not know how the tree is cut. A part this node does not run (an
/// inference-only cluster node runs no cameras, clips, workers or repository) is answered with its empty status.
/// </summary>
public sealed class HomeSecRoot : ReceiveActor
{
    public HomeSecRoot(HomeSecParts parts)
    {
        Receive<CameraProtocol.GetCamerasHealth>(query => ForwardOr(parts.Cameras, query, new CameraProtocol.CamerasHealth(new Dictionary<string, Core.Plugins.SourceHealth>())));
        Receive<ClipProtocol.GetClipsInFlight>(query => ForwardOr(parts.Clips, query, new ClipProtocol.ClipsInFlight([], 0)));
        Receive<ClipProtocol.DrainClips>(drain => ForwardOr(parts.Clips, drain, new ClipProtocol.Drained(0)));
        Receive<RepositoryProtocol.GetStoreHealth>(query => ForwardOr(parts.Repository, query, new RepositoryProtocol.StoreHealth("online", 0, 0, null)));
        Receive<Workers.Outbox.OutboxProtocol.GetNotifierOutboxes>(query => ForwardOr(parts.Workers, query, new Workers.Outbox.OutboxProtocol.NotifierOutboxes(new Dictionary<string, IActorRef>())));
        Receive<WorkerProtocol.GetStages>(query => ForwardOr(parts.Workers, query, new WorkerProtocol.Stages(new Dictionary<string, IActorRef>())));
        Receive<RetentionProtocol.GetRetentionStatus>(query => ForwardOr(parts.Retention, query, RetentionProtocol.RetentionStatus.Disabled));
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
        Receive<InferenceProtocol.GetInferenceNodes>(_ => Context.ActorOf(InferenceNodesGatherer.Props(parts.InferenceRouter, parts.Inference, Sender)));
        Receive<InferenceProtocol.GetInferenceRouting>(query => ForwardOr(parts.InferenceRouter, query, InferenceProtocol.InferenceRouting.None));
    }

    public static Props Props(HomeSecParts parts) => Akka.Actor.Props.Create(() => new HomeSecRoot(parts));

    private void ForwardOr(IActorRef? part, object query, object absent)
    {
        if (part is not null)
        {
            part.Forward(query);
        }
        else
        {
            Sender.Tell(absent);
        }
    }
}

/// <summary>The started parts of the tree the root forwards to; null where this node does not run the part.</summary>
/// <param name="Retention">Null without a state store.</param>
/// <param name="Inference">Null when no inference pool runs; else the pool and how many actors it has.</param>
public sealed record HomeSecParts(
    IActorRef? Repository,
    IActorRef? Workers,
    IActorRef? Clips,
    IActorRef? Cameras,
    IActorRef? Retention,
    (IActorRef Pool, int Workers)? Inference)
{
    /// <summary>The cluster's inference router (a cluster's NVR only).</summary>
    public IActorRef? InferenceRouter { get; init; }

    /// <summary>The parts of an inference-only cluster node: its pool, nothing else.</summary>
    public static HomeSecParts InferenceOnly((IActorRef Pool, int Workers)? inference) => new(null, null, null, null, null, inference);
}
