using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using HomeSec.Core.Clips;
using static HomeSec.Actors.Repository.RepositoryProtocol;

namespace HomeSec.Actors.Repository;

/// <summary>
/// The event stream of one clip (persistence id <c>clip-{id}</c>). Writes with PersistAsync so events
/// arriving together are batched by the journal; every event is tagged for the query side.
/// </summary>
public sealed class ClipJournal : ReceivePersistentActor
{
    public const string EventTag = "clip";

    private readonly ClipId _clipId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ClipState _state;

    public ClipJournal(ClipId clipId, TimeSpan idleTimeout)
    {
        _clipId = clipId;
        _state = ClipState.Empty(clipId);
        PersistenceId = PersistenceIdFor(clipId);

        Recover<IClipEvent>(evt => _state = _state.Apply(evt));
        Command<IClipEvent>(evt => PersistAsync(new Tagged(evt, [EventTag]), _ =>
        {
            _state = _state.Apply(evt);
            Context.Parent.Tell(new EventStored(_clipId));
        }));
        Command<LoadClipHistory>(_ => Sender.Tell(new ClipHistory(_clipId, _state)));
        Command<ReceiveTimeout>(_ => Context.Parent.Tell(new Passivate(_clipId)));
        Command<StopJournal>(msg => DeferAsync(msg, _ => Context.Stop(Self)));
        SetReceiveTimeout(idleTimeout);
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdFor(ClipId clipId) => $"clip-{clipId}";

    public static Props Props(ClipId clipId, TimeSpan idleTimeout) => Akka.Actor.Props.Create(() => new ClipJournal(clipId, idleTimeout));

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        _log.Error(cause, "Could not write event {0} of clip {1} (seq {2}); the journal actor stops", @event.GetType().Name, _clipId, sequenceNr);

    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        _log.Error(reason, "Could not read the journal of clip {0}", _clipId);
}
