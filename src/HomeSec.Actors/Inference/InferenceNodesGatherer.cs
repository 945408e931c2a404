using Akka.Actor;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Inference;

/// <summary>
/// Answers one <see cref="GetInferenceNodes"/>: this node's pool (through an <see cref="InferenceStatusGatherer"/>) and,
/// on a cluster's NVR, every inference node the router knows, each asked at its <c>/user/homesec</c> over the wire. Replies
/// once all answered or the wait is over; a node that did not answer is listed with why. Stops after replying.
/// </summary>
public sealed class InferenceNodesGatherer : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    private readonly IActorRef? _router;
    private readonly (IActorRef Pool, int Workers)? _local;
    private readonly IActorRef _replyTo;
    private readonly string _self;
    private readonly Dictionary<string, InferenceStatus> _answers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);
    private InferenceRouting? _routing;

    public InferenceNodesGatherer(IActorRef? router, (IActorRef Pool, int Workers)? local, IActorRef replyTo)
    {
        _router = router;
        _local = local;
        _replyTo = replyTo;
        _self = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString();
        Receive<InferenceStatus>(OnStatus);
        Receive<InferenceRouting>(OnRouting);
        Receive<PatienceOver>(_ => Reply());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef? router, (IActorRef Pool, int Workers)? local, IActorRef replyTo) =>
        Akka.Actor.Props.Create(() => new InferenceNodesGatherer(router, local, replyTo));

    protected override void PreStart()
    {
        if (_local is { } local)
        {
            _asked.Add(_self);
            Context.ActorOf(InferenceStatusGatherer.Props(local.Pool, local.Workers, Self));
        }

        _router?.Tell(GetInferenceRouting.Instance);
        Timers.StartSingleTimer(nameof(PatienceOver), PatienceOver.Instance, Patience);
        ReplyIfComplete();
    }

    private void OnRouting(InferenceRouting routing)
    {
        _routing = routing;
        foreach (var node in routing.Nodes.Where(n => n.Reachable && n.Address != _self))
        {
            _asked.Add(node.Address);
            Context.ActorSelection(new RootActorPath(Address.Parse(node.Address)) / "user" / "homesec").Tell(GetInferenceStatus.Instance);
        }

        ReplyIfComplete();
    }

    private void OnStatus(InferenceStatus status)
    {
        // This node's own gatherer is a child (a local path); another node's answer comes from its address.
        var address = Sender.Path.Address.HasLocalScope ? _self : Sender.Path.Address.ToString();
        _answers[address] = status;
        ReplyIfComplete();
    }

    private void ReplyIfComplete()
    {
        if ((_router is null || _routing is not null) && _asked.All(_answers.ContainsKey))
        {
            Reply();
        }
    }

    private void Reply()
    {
        var routed = (_routing?.Nodes ?? []).ToDictionary(n => n.Address, StringComparer.Ordinal);
        var addresses = _asked.Concat(routed.Keys).Distinct(StringComparer.Ordinal)
            .OrderBy(a => a == _self ? 0 : 1).ThenBy(a => a, StringComparer.Ordinal);
        var nodes = addresses.Select(address =>
        {
            var status = _answers.GetValueOrDefault(address);
            var routing = routed.GetValueOrDefault(address);
            var problem = status is not null ? null
                : routing is { Reachable: false } ? "unreachable"
                : _routing is null && _router is not null ? $"the router did not answer within {Patience.TotalSeconds:0} s"
                : $"no answer within {Patience.TotalSeconds:0} s";
            return new InferenceNodeStatus(address, address == _self, status, routing, problem);
        }).ToList();
        _replyTo.Tell(new InferenceNodes(nodes));
        Context.Stop(Self);
    }

    private sealed record PatienceOver
    {
        public static PatienceOver Instance { get; } = new();
    }
}
