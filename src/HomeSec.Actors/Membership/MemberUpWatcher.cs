using Akka.Actor;
using Akka.Cluster;

namespace HomeSec.Actors.Membership;

/// <summary><c>/user/cluster-members</c>: writes down when each member became Up (and forgets it when removed) in <see cref="MemberUpTimes"/>.</summary>
public sealed class MemberUpWatcher : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly MemberUpTimes _times = MemberUpTimes.Get(Context.System);

    public MemberUpWatcher(TimeProvider clock)
    {
        Receive<ClusterEvent.MemberUp>(up => _times.Up(up.Member.UniqueAddress, clock.GetUtcNow()));
        Receive<ClusterEvent.MemberWeaklyUp>(up => _times.Up(up.Member.UniqueAddress, clock.GetUtcNow()));
        Receive<ClusterEvent.MemberRemoved>(removed => _times.Removed(removed.Member.UniqueAddress));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    public static Props Props(TimeProvider clock) => Akka.Actor.Props.Create(() => new MemberUpWatcher(clock));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
