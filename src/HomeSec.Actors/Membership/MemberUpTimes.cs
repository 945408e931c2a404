using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;

namespace HomeSec.Actors.Membership;

/// <summary>
/// When this node saw each member become Up (Akka's member carries an up-number, not a time). Kept by
/// <see cref="MemberUpWatcher"/>, read by <c>/health/cluster</c> from any thread. Members already Up when this node
/// joined count from the moment it joined: "up since", as far as this node knows.
/// </summary>
public sealed class MemberUpTimes : IExtension
{
    private readonly ConcurrentDictionary<UniqueAddress, DateTimeOffset> _since = new();

    public static MemberUpTimes Get(ActorSystem system) => system.WithExtension<MemberUpTimes, MemberUpTimesId>();

    public DateTimeOffset? UpSince(UniqueAddress member) => _since.TryGetValue(member, out var at) ? at : null;

    internal void Up(UniqueAddress member, DateTimeOffset at) => _since.TryAdd(member, at);

    internal void Removed(UniqueAddress member) => _since.TryRemove(member, out _);

    private sealed class MemberUpTimesId : ExtensionIdProvider<MemberUpTimes>
    {
        public override MemberUpTimes CreateExtension(ExtendedActorSystem system) => new();
    }
}
