using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using HomeSec.Actors.Inference.Frames;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Inference;

/// <summary>
/// <c>/user/inference-router</c> on a cluster's NVR: sends each frame to the inference node (a member with the
/// <c>inference</c> role that is Up and reachable, and whose pool answered an Identify) with the fewest frames in flight,
/// and while there is none to this node's own pool, if it has one. Every frame goes out with this actor as the sender, so
/// the router sees every reply and knows what each node still owes: when a node becomes unreachable, leaves or is
/// removed, its frames are sent elsewhere at once instead of waiting for the filter's timeout; a frame not answered
/// within the request timeout (lost on the way) is sent elsewhere too. Replies arrive as messages: no Ask per frame.
/// Frames themselves go through each node's frame port (<see cref="FrameLink"/>) where it has one: remoting stays the
/// way for membership, for everything else, and for frames to a node whose port cannot be reached. When a frame link
/// breaks, the node gets no frames until it is connected again (or found to have no port, within the request timeout):
/// a broken link is most often a dead node whose death the failure detector has not seen yet.
/// </summary>
public sealed class InferenceRouter : ReceiveActor, IWithTimers
{
    /// <summary>Past this many sends a frame is failed (as a value): something is wrong with the frame, not the node.</summary>
    private const int MaxAttempts = 3;

    private static readonly TimeSpan IdentifyRetry = TimeSpan.FromSeconds(1);

    /// <summary>How long a node whose frame port failed waits before it is tried again (meanwhile frames go over remoting).</summary>
    private static readonly TimeSpan FramePortRetry = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FramePortConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly IActorRef? _localPool;
    private readonly ClusterRoutingSettings _settings;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Address, Node> _nodes = [];
    private readonly Dictionary<long, InFlight> _inFlight = [];
    private readonly CancellationTokenSource _stopping = new();
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _household;
    private bool _framePorts;
    private long _nextId;
    private long _linkGeneration;
    private long _roundRobin;
    private long _sentRemote;
    private long _sentLocal;
    private long _resent;
    private long _failed;

    public InferenceRouter(IActorRef? localPool, ClusterRoutingSettings settings)
    {
        _localPool = localPool;
        _settings = settings;
        Receive<Detect>(request => Dispatch(new InFlight(request, Sender, null, 0, 1)));
        Receive<DetectResult>(OnResult);
        Receive<ClusterEvent.MemberUp>(up => OnMemberUp(up.Member));
        Receive<ClusterEvent.UnreachableMember>(unreachable => OnUnreachable(unreachable.Member));
        Receive<ClusterEvent.ReachableMember>(reachable => OnReachable(reachable.Member));
        Receive<ClusterEvent.IMemberEvent>(OnMemberGone);
        Receive<ActorIdentity>(OnIdentity);
        Receive<IdentifyAgain>(again => Identify(again.Address));
        Receive<FrameChannelAt>(OnFrameChannel);
        Receive<AskFrameChannel>(ask => AskForFramePort(ask.Node));
        Receive<LinkConnected>(OnLinkConnected);
        Receive<LinkClosed>(OnLinkClosed);
        Receive<ReleaseHold>(OnReleaseHold);
        Receive<Sweep>(_ => ResendOverdue());
        Receive<GetInferenceRouting>(_ => Sender.Tell(Routing()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="localPool">This node's own pool (its fallback, or one of the nodes when it has the inference role); null when it has none.</param>
    public static Props Props(IActorRef? localPool, ClusterRoutingSettings settings) =>
        Akka.Actor.Props.Create(() => new InferenceRouter(localPool, settings));

    protected override void PreStart()
    {
        // The initial state as events: members already Up (and already unreachable) arrive like new ones.
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Timers.StartPeriodicTimer(nameof(Sweep), Sweep.Instance, Sweep.Interval(_settings.RequestTimeout));
        _framePorts = _settings.FramePorts;
        if (_framePorts && _settings.Tls is { } tls)
        {
            var (certificate, problem) = tls.Load(Environment.GetEnvironmentVariable);
            _household = certificate;
            if (certificate is null)
            {
                _framePorts = false;
                _log.Error("inference: frames go over remoting, not frame ports: cluster.tls.certificate_path: {0}", problem);
            }
        }
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _stopping.Cancel();
        foreach (var node in _nodes.Values)
        {
            _ = node.Link?.DisposeAsync();
        }

        _household?.Dispose();
        foreach (var pending in _inFlight.Values)
        {
            pending.ReplyTo.Tell(new DetectResult(pending.Request.RequestId, null, "the inference router stopped before this frame was answered"));
        }

        base.PostStop();
    }

    private void OnMemberUp(Member member)
    {
        if (!member.HasRole(Core.Config.ClusterConfig.InferenceRole))
        {
            return;
        }

        var isSelf = member.Address == _cluster.SelfAddress;
        if (isSelf && _localPool is null)
        {
            return;
        }

        // A new incarnation at the same address replaces the old one (its frames were re-sent when it became unreachable).
        if (_nodes.TryGetValue(member.Address, out var previous))
        {
            _ = previous.Link?.DisposeAsync();
        }

        _nodes[member.Address] = new Node(member.Address, member.UniqueAddress, isSelf ? _localPool : null, Reachable: true);
        if (!isSelf)
        {
            Identify(member.Address);
        }

        _log.Info("inference: node {0} is up{1}", member.Address, isSelf ? " (this node)" : "");
    }

    /// <summary>The pool's address is known, its reference is not: one Identify, then frames go to the reference itself.</summary>
    private void Identify(Address address)
    {
        if (_nodes.TryGetValue(address, out var node) && node.Pool is null)
        {
            Context.ActorSelection(new RootActorPath(address) / "user" / "inference").Tell(new Identify(node.UniqueAddress), Self);
        }
    }

    private void OnIdentity(ActorIdentity identity)
    {
        if (identity.MessageId is not UniqueAddress unique || !_nodes.TryGetValue(unique.Address, out var node) || node.UniqueAddress != unique)
        {
            return;
        }

        if (identity.Subject is { } pool)
        {
            _nodes[unique.Address] = node with { Pool = pool };
            _log.Info("inference: frames may go to {0}", pool.Path);
            AskForFramePort(unique);
        }
        else
        {
            // The node is Up before its actors have started: ask again shortly.
            Timers.StartSingleTimer("identify-" + unique.Address, new IdentifyAgain(unique.Address), IdentifyRetry);
        }
    }

    private void OnUnreachable(Member member)
    {
        if (_nodes.TryGetValue(member.Address, out var node) && node.UniqueAddress == member.UniqueAddress)
        {
            _nodes[member.Address] = node with { Reachable = false };
            ResendFrom(member.Address, "became unreachable");
        }
    }

    private void OnReachable(Member member)
    {
        if (_nodes.TryGetValue(member.Address, out var node) && node.UniqueAddress == member.UniqueAddress)
        {
            _nodes[member.Address] = node with { Reachable = true };
            _log.Info("inference: node {0} is reachable again", member.Address);
        }
    }

    private void OnMemberGone(ClusterEvent.IMemberEvent memberEvent)
    {
        if (memberEvent is not (ClusterEvent.MemberLeft or ClusterEvent.MemberExited or ClusterEvent.MemberRemoved or ClusterEvent.MemberDowned))
        {
            return;
        }

        var member = memberEvent.Member;
        if (_nodes.TryGetValue(member.Address, out var node) && node.UniqueAddress == member.UniqueAddress)
        {
            _nodes.Remove(member.Address);
            _ = node.Link?.DisposeAsync();
            ResendFrom(member.Address, $"left the cluster ({memberEvent.GetType().Name})");
        }
    }

    /// <param name="link">Only the frames sent through this link (its generation); null: every frame the node owes.</param>
    private void ResendFrom(Address address, string why, long? link = null)
    {
        var owed = _inFlight.Where(p => p.Value.Node == address && (link is null || p.Value.Link == link)).ToList();
        if (owed.Count > 0)
        {
            _log.Warning("inference: node {0} {1}; sending its {2} frame(s) elsewhere", address, why, owed.Count);
        }

        foreach (var (id, pending) in owed)
        {
            _inFlight.Remove(id);
            _resent++;
            Dispatch(pending with { Attempt = pending.Attempt + 1 });
        }
    }

    private void ResendOverdue()
    {
        var now = Environment.TickCount64;
        var overdue = _inFlight.Where(p => now - p.Value.SentAt > (long)_settings.RequestTimeout.TotalMilliseconds).ToList();
        foreach (var (id, pending) in overdue)
        {
            _inFlight.Remove(id);
            _resent++;
            _log.Warning("inference: no answer from {0} within {1} s; sending the frame elsewhere", (object?)pending.Node ?? "this node", _settings.RequestTimeout.TotalSeconds);
            Dispatch(pending with { Attempt = pending.Attempt + 1 });
        }
    }

    private void Dispatch(InFlight pending)
    {
        if (pending.Attempt > MaxAttempts)
        {
            Fail(pending, $"no node answered this frame in {MaxAttempts} attempts");
            return;
        }

        var target = PickNode();
        IActorRef? pool = target?.Pool ?? (_settings.LocalFallback ? _localPool : null);
        if (pool is null)
        {
            Fail(pending, "no inference node is reachable and this node runs no model (cluster.local_fallback, or give it the inference role)");
            return;
        }

        var id = ++_nextId;
        // Through the node's frame port when it has a link; else over remoting (or to this node's pool).
        var viaLink = target?.Link is { } frameLink && frameLink.Send(id, pending.Request.Frame, pending.Request.MinConfidence);
        _inFlight[id] = pending with { Node = target?.Address, SentAt = Environment.TickCount64, Link = viaLink ? target!.LinkGeneration : null };
        if (target is not null)
        {
            _nodes[target.Address] = target with { InFlight = target.InFlight + 1, Sent = target.Sent + 1 };
        }

        if (target is not null && !target.IsLocal)
        {
            _sentRemote++;
        }
        else
        {
            _sentLocal++;
        }

        if (!viaLink)
        {
            pool.Tell(pending.Request with { RequestId = id }, Self);
        }
    }

    /// <summary>Asks the node (over remoting) for its frame port; a node without one never answers and keeps getting frames over remoting.</summary>
    private void AskForFramePort(UniqueAddress unique)
    {
        if (_framePorts && _nodes.TryGetValue(unique.Address, out var node) && node.UniqueAddress == unique && !node.IsLocal && node.Link is null && !node.Connecting)
        {
            Context.ActorSelection(new RootActorPath(unique.Address) / "user" / "frame-channel").Tell(GetFrameChannel.Instance, Self);
            // Unanswered: the node's frame port may not have started yet (or it has none): ask again, soon at first, then seldom.
            _nodes[unique.Address] = node with { FramePortQuestions = node.FramePortQuestions + 1 };
            Timers.StartSingleTimer("frame-port-" + unique.Address, new AskFrameChannel(unique), node.FramePortQuestions < 5 ? IdentifyRetry : FramePortRetry);
        }
    }

    private void OnFrameChannel(FrameChannelAt at)
    {
        var address = Sender.Path.Address;
        if (!_nodes.TryGetValue(address, out var node) || node.Link is not null || node.Connecting || address.Host is not { } host)
        {
            return;
        }

        Timers.Cancel("frame-port-" + address);
        var unique = node.UniqueAddress;
        var generation = ++_linkGeneration;
        var self = Self;
        _nodes[address] = node with { Connecting = true };
        FrameLink.ConnectAsync(host, at.Port, _household, result => self.Tell(result), reason => self.Tell(new LinkClosed(unique, generation, reason)),
                FramePortConnectTimeout, _stopping.Token)
            .PipeTo(self, success: connected => new LinkConnected(unique, generation, connected.Link, connected.Problem),
                failure: ex => new LinkConnected(unique, generation, null, ex.Message));
    }

    private void OnLinkConnected(LinkConnected connected)
    {
        var address = connected.Node.Address;
        if (!_nodes.TryGetValue(address, out var node) || node.UniqueAddress != connected.Node)
        {
            _ = connected.Link?.DisposeAsync();
            return;
        }

        Timers.Cancel("hold-" + address);
        if (connected.Link is { } link)
        {
            _nodes[address] = node with { Link = link, LinkGeneration = connected.Generation, Connecting = false, Held = false, FramePortQuestions = 0 };
            _log.Info("inference: frames to {0} go through its frame port {1}", address, link.Endpoint);
            return;
        }

        _nodes[address] = node with { Connecting = false, Held = false };
        _log.Warning("inference: frames to {0} go over remoting (slower) for now: its frame port {1}; trying again in {2} s", address, connected.Problem,
            FramePortRetry.TotalSeconds);
        Timers.StartSingleTimer("frame-port-" + address, new AskFrameChannel(connected.Node), FramePortRetry);
    }

    private void OnLinkClosed(LinkClosed closed)
    {
        var address = closed.Node.Address;
        if (!_nodes.TryGetValue(address, out var node) || node.UniqueAddress != closed.Node || node.LinkGeneration != closed.Generation || node.Link is null)
        {
            return;
        }

        // Most often the node died: hold it back (frames go elsewhere) until it answers again or the request timeout says it is alive without a port.
        _nodes[address] = node with { Link = null, Held = true };
        _log.Warning("inference: the frame link to {0} broke ({1}); no frames go there until it is connected again", address, closed.Reason);
        ResendFrom(address, "lost its frame link", closed.Generation);
        Timers.StartSingleTimer("hold-" + address, new ReleaseHold(closed.Node), _settings.RequestTimeout);
        AskForFramePort(closed.Node);
    }

    private void OnReleaseHold(ReleaseHold release)
    {
        if (_nodes.TryGetValue(release.Node.Address, out var node) && node.UniqueAddress == release.Node && node.Held)
        {
            _nodes[release.Node.Address] = node with { Held = false };
            Timers.StartSingleTimer("frame-port-" + release.Node.Address, new AskFrameChannel(release.Node), FramePortRetry);
        }
    }

    /// <summary>The ready node with the fewest frames in flight; ties in turn.</summary>
    private Node? PickNode()
    {
        Node? best = null;
        var ready = _nodes.Values.Where(n => n.Ready).OrderBy(n => n.Address.ToString(), StringComparer.Ordinal).ToList();
        if (ready.Count == 0)
        {
            return null;
        }

        var start = (int)(_roundRobin++ % ready.Count);
        for (var i = 0; i < ready.Count; i++)
        {
            var candidate = ready[(start + i) % ready.Count];
            if (best is null || candidate.InFlight < best.InFlight)
            {
                best = candidate;
            }
        }

        return best;
    }

    private void OnResult(DetectResult result)
    {
        // A late answer for a frame already sent elsewhere (or failed) finds nothing: dropped.
        if (!_inFlight.Remove(result.RequestId, out var pending))
        {
            return;
        }

        if (pending.Node is { } address && _nodes.TryGetValue(address, out var node))
        {
            _nodes[address] = node with { InFlight = Math.Max(0, node.InFlight - 1) };
        }

        pending.ReplyTo.Tell(result with { RequestId = pending.Request.RequestId });
    }

    private void Fail(InFlight pending, string error)
    {
        _failed++;
        pending.ReplyTo.Tell(new DetectResult(pending.Request.RequestId, null, error));
    }

    private InferenceRouting Routing() => new(
        _nodes.Values.OrderBy(n => n.Address.ToString(), StringComparer.Ordinal)
            .Select(n => new InferenceNode(n.Address.ToString(), n.Ready, n.Reachable, n.InFlight, n.Sent)
                { Transport = n.Link is { } link ? $"frame port {link.Endpoint}" : n.IsLocal ? "this node" : "remoting" }).ToList(),
        _sentRemote, _sentLocal, _resent, _failed, _inFlight.Count);

    /// <param name="Pool">Null until its pool answered an Identify (always set for this node itself).</param>
    private sealed record Node(Address Address, UniqueAddress UniqueAddress, IActorRef? Pool, bool Reachable)
    {
        public int InFlight { get; init; }

        public long Sent { get; init; }

        /// <summary>The node's frame port, once connected; null: frames go over remoting.</summary>
        public FrameLink? Link { get; init; }

        /// <summary>Which <see cref="Link"/> this is: a closed link's late news must not touch its successor.</summary>
        public long LinkGeneration { get; init; }

        public bool Connecting { get; init; }

        /// <summary>How often its frame port was asked for without an answer yet.</summary>
        public int FramePortQuestions { get; init; }

        /// <summary>Its frame link broke: no frames until it is connected again or the hold runs out.</summary>
        public bool Held { get; init; }

        public bool Ready => Reachable && Pool is not null && !Held;

        public bool IsLocal => Pool is not null && Pool.Path.Address.HasLocalScope;
    }

    /// <param name="Node">Where it was sent; null: this node's pool as the fallback.</param>
    /// <param name="SentAt">Environment.TickCount64 when sent.</param>
    /// <param name="Link">The generation of the frame link it went through; null: remoting or this node.</param>
    private sealed record InFlight(Detect Request, IActorRef ReplyTo, Address? Node, long SentAt, int Attempt)
    {
        public long? Link { get; init; }
    }

    private sealed record AskFrameChannel(UniqueAddress Node);

    private sealed record LinkConnected(UniqueAddress Node, long Generation, FrameLink? Link, string? Problem);

    private sealed record LinkClosed(UniqueAddress Node, long Generation, string Reason);

    private sealed record ReleaseHold(UniqueAddress Node);

    private sealed record IdentifyAgain(Address Address);

    private sealed record Sweep
    {
        public static Sweep Instance { get; } = new();

        /// <summary>Often enough that a lost frame waits at most about a quarter longer than the timeout.</summary>
        public static TimeSpan Interval(TimeSpan timeout) => TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 4, 50, 1000));
    }
}

/// <param name="RequestTimeout">A frame not answered by then is sent elsewhere (<c>cluster.request_timeout_s</c>).</param>
/// <param name="LocalFallback">Frames go to this node's own pool while no inference node is ready (<c>cluster.local_fallback</c>).</param>
public sealed record ClusterRoutingSettings(TimeSpan RequestTimeout, bool LocalFallback)
{
    /// <summary>Frames go through the inference nodes' frame ports where they have one (<c>cluster.frame_port</c> is not 0).</summary>
    public bool FramePorts { get; init; } = true;

    /// <summary>The household certificate the frame ports' TLS is pinned to (<c>cluster.tls</c>); null: plain TCP, like remoting.</summary>
    public Core.Config.ClusterTls? Tls { get; init; }
}
