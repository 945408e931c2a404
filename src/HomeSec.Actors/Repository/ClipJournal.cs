using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using HomeSec.Core.Clips;
using static HomeSec.Actors.Repository.RepositoryProtocol;

namespace HomeSec.Actors.Repository;

/// <summary>
/// Reads one clip's event stream (persistence id <c>clip-{id}</c>) by recovering it, answers the
/// history query and stops. Writing is the <see cref="ClipEventWriter"/>'s job.
/// </summary>
public sealed class ClipJournal : ReceivePersistentActor
{
    public const string EventTag = "clip";

    private readonly ClipId _clipId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ClipState _state;

    public ClipJournal(ClipId clipId)
    {
        _clipId = clipId;
        _state = ClipState.Empty(clipId);
        PersistenceId = PersistenceIdFor(clipId);

        Recover<IClipEvent>(evt => _state = _state.Apply(evt));
        Command<LoadClipHistory>(_ =>
        {
            Sender.Tell(new ClipHistory(_clipId, _state));
            Context.Stop(Self);
        });
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdFor(ClipId clipId) => $"clip-{clipId}";

    public static Props Props(ClipId clipId) => Akka.Actor.Props.Create(() => new ClipJournal(clipId));

    protected override void OnRecoveryFailure(Exception reason, object? message = null) =>
        _log.Warning("Could not read the journal of clip {0}: {1}", _clipId, reason.Message);
}
