using Akka.Actor;
using Akka.Event;
using HomeSec.Core.Clips;
using static HomeSec.Actors.Repository.RepositoryProtocol;

namespace HomeSec.Actors.Repository;

/// <summary>
/// Routes clip events to one <see cref="ClipJournal"/> per clip, creating and passivating them.
/// Messages for a clip whose journal is stopping wait here and go to its next incarnation.
/// </summary>
public sealed class ClipRepository : ReceiveActor
{
    private readonly Dictionary<ClipId, IActorRef> _journals = [];
    private readonly Dictionary<ClipId, List<(object Message, IActorRef Sender)>> _waitingForStop = [];
    private readonly Dictionary<IActorRef, ClipId> _clipOf = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _idleTimeout;

    public ClipRepository(TimeSpan idleTimeout)
    {
        _idleTimeout = idleTimeout;
        Receive<IClipEvent>(evt => Route(evt.ClipId, evt));
        Receive<LoadClipHistory>(query => Route(query.ClipId, query));
        Receive<Passivate>(HandlePassivate);
        Receive<Terminated>(HandleTerminated);
    }

    public static Props Props(TimeSpan idleTimeout) => Akka.Actor.Props.Create(() => new ClipRepository(idleTimeout));

    private void Route(ClipId clipId, object message)
    {
        if (_waitingForStop.TryGetValue(clipId, out var waiting))
        {
            waiting.Add((message, Sender));
            return;
        }

        JournalOf(clipId).Forward(message);
    }

    private void HandlePassivate(Passivate passivate)
    {
        if (_journals.Remove(passivate.ClipId, out var journal))
        {
            _waitingForStop[passivate.ClipId] = [];
            journal.Tell(StopJournal.Instance);
        }
    }

    private void HandleTerminated(Terminated terminated)
    {
        if (!_clipOf.Remove(terminated.ActorRef, out var clipId))
        {
            return;
        }

        if (_journals.TryGetValue(clipId, out var current) && current.Equals(terminated.ActorRef))
        {
            // Stopped without passivating: a write or the recovery failed (logged by the journal).
            _journals.Remove(clipId);
            _log.Warning("Journal of clip {0} stopped unexpectedly; its next event starts a new one", clipId);
        }

        if (_waitingForStop.Remove(clipId, out var waiting))
        {
            foreach (var (message, sender) in waiting)
            {
                JournalOf(clipId).Tell(message, sender);
            }
        }
    }

    private IActorRef JournalOf(ClipId clipId)
    {
        if (!_journals.TryGetValue(clipId, out var journal))
        {
            journal = Context.ActorOf(ClipJournal.Props(clipId, _idleTimeout), ClipJournal.PersistenceIdFor(clipId));
            Context.Watch(journal);
            _journals[clipId] = journal;
            _clipOf[journal] = clipId;
        }

        return journal;
    }
}
