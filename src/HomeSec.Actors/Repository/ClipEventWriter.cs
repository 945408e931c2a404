using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Clips;
using static HomeSec.Actors.Repository.RepositoryProtocol;

namespace HomeSec.Actors.Repository;

/// <summary>
/// Writes clip events straight to the journal plugin, one event stream per clip (persistence id
/// <c>clip-{id}</c>), numbering each stream itself. A persistent actor per clip would first recover
/// (two queries) before its first write; here the highest sequence numbers of the clips not yet seen
/// are read in one query per batch, so writing costs what the journal's batched inserts cost.
/// Events that arrive while writes are under way are sent together in the next write (at most
/// <see cref="MaxWritesInFlight"/> at once), so under load one round trip carries many events.
/// Each event is confirmed to the repository (<see cref="EventStored"/>) or reported failed
/// (<see cref="EventNotStored"/>), in order per clip.
/// </summary>
public sealed class ClipEventWriter : ReceiveActor
{
    private const int InstanceId = 1;
    private const int MaxWritesInFlight = 2;
    private const int MaxEventsPerWrite = 1000;

    private readonly ClipStore? _store;
    private readonly IActorRef _journal;
    private readonly string _writerUuid = Guid.NewGuid().ToString("N");
    private readonly Dictionary<ClipId, long> _lastSequenceNr = [];
    private readonly List<IClipEvent> _waitingForNumbers = [];
    private readonly Dictionary<ClipId, int> _writingByClip = [];
    private readonly HashSet<ClipId> _completed = [];
    private bool _lookingUp;
    private int _writesInFlight;

    public ClipEventWriter(ClipStore? store)
    {
        _store = store;
        _journal = Persistence.Instance.Apply(Context.System).JournalFor(null);

        Receive<IClipEvent>(evt =>
        {
            _waitingForNumbers.Add(evt);
            WriteWhatIsNumbered();
        });
        Receive<SequenceNrsLoaded>(OnSequenceNrsLoaded);
        Receive<SequenceNrsNotLoaded>(failed =>
        {
            _lookingUp = false;
            FailWaiting(failed.Error);
        });
        Receive<WriteMessageSuccess>(success =>
        {
            var evt = EventOf(success.Persistent);
            Context.Parent.Tell(new EventStored(evt.ClipId));
            Settled(evt.ClipId);
        });
        Receive<WriteMessageFailure>(failure =>
        {
            Failed(EventOf(failure.Persistent), failure.Cause);
            Settled(EventOf(failure.Persistent).ClipId);
        });
        Receive<WriteMessageRejected>(rejected =>
        {
            Failed(EventOf(rejected.Persistent), rejected.Cause);
            Settled(EventOf(rejected.Persistent).ClipId);
        });
        Receive<WriteMessagesSuccessful>(_ => WriteFinished());
        Receive<WriteMessagesFailed>(_ => WriteFinished()); // each message's WriteMessageFailure follows
    }

    public static Props Props(ClipStore? store) => Akka.Actor.Props.Create(() => new ClipEventWriter(store));

    public static string PersistenceIdFor(ClipId clipId) => ClipJournal.PersistenceIdFor(clipId);

    private void WriteFinished()
    {
        _writesInFlight--;
        WriteWhatIsNumbered();
    }

    private void WriteWhatIsNumbered()
    {
        if (_lookingUp || _writesInFlight >= MaxWritesInFlight || _waitingForNumbers.Count == 0)
        {
            return;
        }

        var unknown = _waitingForNumbers.Select(e => e.ClipId).Where(id => !_lastSequenceNr.ContainsKey(id)).Distinct().ToList();
        if (unknown.Count > 0 && _store is not null)
        {
            _lookingUp = true;
            _store.HighestSequenceNrsAsync(unknown.Select(PersistenceIdFor).ToList(), CancellationToken.None)
                .PipeTo(Self, success: found => new SequenceNrsLoaded(unknown, found), failure: ex => new SequenceNrsNotLoaded(ex));
            return;
        }

        var batch = _waitingForNumbers.Take(MaxEventsPerWrite).ToList();
        var writes = new List<IPersistentEnvelope>(batch.Count);
        foreach (var evt in batch)
        {
            var sequenceNr = _lastSequenceNr[evt.ClipId] = _lastSequenceNr.GetValueOrDefault(evt.ClipId) + 1;
            _writingByClip[evt.ClipId] = _writingByClip.GetValueOrDefault(evt.ClipId) + 1;
            if (evt is HomeSec.Core.Clips.ClipEvents.ClipCompleted)
            {
                _completed.Add(evt.ClipId);
            }

            writes.Add(new AtomicWrite(new Persistent(new Tagged(evt, [ClipJournal.EventTag]), sequenceNr, PersistenceIdFor(evt.ClipId),
                string.Empty, isDeleted: false, ActorRefs.NoSender, _writerUuid)));
        }

        _waitingForNumbers.RemoveRange(0, batch.Count);
        _writesInFlight++;
        _journal.Tell(new WriteMessages(writes, Self, InstanceId));
    }

    /// <summary>
    /// A write of the clip ended. Once a completed clip has nothing left in flight or waiting, its stream length is
    /// forgotten, so the writer does not hold an entry per clip for years; a later event of it (an outbox delivery)
    /// looks the length up again, which is right because every earlier write has ended. (Without tables to ask, as
    /// with the in-memory journal of tests, it is kept.)
    /// </summary>
    private void Settled(ClipId clipId)
    {
        var left = _writingByClip.GetValueOrDefault(clipId) - 1;
        if (left > 0)
        {
            _writingByClip[clipId] = left;
            return;
        }

        _writingByClip.Remove(clipId);
        if (_store is not null && _completed.Contains(clipId) && !_waitingForNumbers.Exists(e => e.ClipId == clipId))
        {
            _completed.Remove(clipId);
            _lastSequenceNr.Remove(clipId);
        }
    }

    /// <summary>The journal answers with what it was given: the tagged event.</summary>
    private static IClipEvent EventOf(IPersistentRepresentation persistent) => persistent.Payload switch
    {
        Tagged { Payload: IClipEvent evt } => evt,
        IClipEvent evt => evt,
        var other => throw new InvalidOperationException($"the journal answered about {other.GetType()}, not a clip event"),
    };

    private void OnSequenceNrsLoaded(SequenceNrsLoaded loaded)
    {
        _lookingUp = false;
        foreach (var clipId in loaded.Asked)
        {
            _lastSequenceNr.TryAdd(clipId, loaded.Highest.GetValueOrDefault(PersistenceIdFor(clipId)));
        }

        WriteWhatIsNumbered();
    }

    /// <summary>
    /// The failed event's number stays unused (a gap in the stream is harmless); numbers keep growing,
    /// so when the repository writes the event again it lands after everything written before it.
    /// </summary>
    private void Failed(IClipEvent evt, Exception cause) => Context.Parent.Tell(new EventNotStored(evt, cause));

    private void FailWaiting(Exception cause)
    {
        foreach (var evt in _waitingForNumbers)
        {
            Context.Parent.Tell(new EventNotStored(evt, cause));
        }

        _waitingForNumbers.Clear();
    }

    private sealed record SequenceNrsLoaded(IReadOnlyList<ClipId> Asked, IReadOnlyDictionary<string, long> Highest);

    private sealed record SequenceNrsNotLoaded(Exception Error);
}
