using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Clips;

namespace HomeSec.Actors.Repository;

/// <summary>
/// Keeps <c>clip_states</c> and <c>clip_events</c> up to date from the journal's tagged event stream
/// (Akka.Persistence.Query). The offset is stored with each batch, in the same transaction, so the
/// projection resumes where it stopped after a restart; when the database is down the stream fails
/// and is started again with backoff.
/// </summary>
public sealed class ClipProjection : ReceiveActor, IWithTimers
{
    private const int BatchSize = 500;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(200);

    private readonly ClipStore _store;
    private readonly TimeSpan _backoffMin;
    private readonly TimeSpan _backoffMax;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private TimeSpan _backoff;
    private UniqueKillSwitch? _running;

    public ClipProjection(ClipStore store, TimeSpan backoffMin, TimeSpan backoffMax)
    {
        _store = store;
        _backoffMin = backoffMin;
        _backoffMax = backoffMax;
        _backoff = backoffMin;

        Receive<Start>(_ => LoadOffset());
        Receive<OffsetLoaded>(loaded => Run(loaded.Offset));
        Receive<StreamStopped>(stopped => ScheduleRestart(stopped.Error));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ClipStore store, TimeSpan backoffMin, TimeSpan backoffMax) =>
        Akka.Actor.Props.Create(() => new ClipProjection(store, backoffMin, backoffMax));

    protected override void PreStart() => Self.Tell(Start.Instance);

    protected override void PostStop()
    {
        _running?.Shutdown();
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void LoadOffset()
    {
        // The repository created the schema before it started this projection: it is the schema's one owner.
        _store.LoadOffsetAsync(_stopping.Token)
            .PipeTo(Self, success: offset => new OffsetLoaded(offset), failure: ex => new StreamStopped(ex));
    }

    private void Run(long offset)
    {
        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var (killSwitch, completion) = journal
            .EventsByTag(ClipJournal.EventTag, Offset.Sequence(offset))
            .Where(envelope => envelope.Event is IClipEvent)
            .Select(envelope => new JournalEvent(((Sequence)envelope.Offset).Value, envelope.SequenceNr, (IClipEvent)envelope.Event))
            .GroupedWithin(BatchSize, BatchWindow)
            .SelectAsync(1, async batch =>
            {
                await _store.ApplyAsync(batch.ToList(), _stopping.Token);
                return NotUsed.Instance;
            })
            .ViaMaterialized(KillSwitches.Single<NotUsed>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
            .Run(Context.Materializer());
        _running = killSwitch;
        _backoff = _backoffMin;
        completion.PipeTo(Self, success: () => new StreamStopped(null), failure: ex => new StreamStopped(ex));
    }

    private void ScheduleRestart(Exception? error)
    {
        _running = null;
        if (error is not null)
        {
            _log.Warning("Clip projection stopped ({0}); restarting in {1}", error.Message, _backoff);
        }

        Timers.StartSingleTimer(nameof(Start), Start.Instance, _backoff);
        _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, _backoffMax.Ticks));
    }

    private sealed record Start
    {
        public static Start Instance { get; } = new();
    }

    private sealed record OffsetLoaded(long Offset);

    private sealed record StreamStopped(Exception? Error);
}
