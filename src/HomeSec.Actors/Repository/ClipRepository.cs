using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Clips;
using static HomeSec.Actors.Repository.RepositoryProtocol;

namespace HomeSec.Actors.Repository;

/// <summary>
/// Writes clip events through the <see cref="ClipEventWriter"/> (one event stream per clip), answers
/// history queries with a <see cref="ClipJournal"/>, tells a clip when all its events are durable, and
/// never lets a database outage lose events or slow the pipeline. Its modes are behaviours:
/// <list type="bullet">
/// <item><see cref="Starting"/>: the database is not checked yet. Events go to the spool; history queries wait.</item>
/// <item><see cref="Online"/>: events go to the writer; each one is kept until it is confirmed.</item>
/// <item><see cref="Offline"/>: a write or the probe failed. Unconfirmed and new events go, in order, to the
/// <see cref="EventSpool"/> on disk; a probe with backoff checks the database.</item>
/// <item><see cref="Draining"/>: the database answers; spooled events are written in order (new events queue
/// behind them in the spool), history queries wait until the journal has everything, then online.</item>
/// </list>
/// The repository is the one owner of the schema: it creates it (and starts the projection) once the
/// database answers, so nothing else races it.
/// </summary>
public sealed class ClipRepository : ReceiveActor, IWithTimers
{
    private const int MaxSpooledInFlight = 1000;
    private static readonly TimeSpan SpoolSyncInterval = TimeSpan.FromSeconds(1);

    private readonly RepositorySettings _settings;
    private readonly ClipStore? _store;
    private readonly EventSpool _spool;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<ClipId, Queue<Unconfirmed>> _unconfirmed = [];
    private readonly Dictionary<ClipId, List<IClipEvent>> _heldBack = [];
    private readonly HashSet<long> _confirmedSpooled = [];
    private readonly HashSet<ClipId> _spooledNotSynced = [];
    private readonly HashSet<ClipId> _lost = [];
    private readonly Dictionary<ClipId, List<IActorRef>> _durableWaiters = [];
    private readonly List<(LoadClipHistory Query, IActorRef Sender)> _heldQueries = [];
    private long _spoolHandedOutThrough;
    private int _spooledInFlight;
    private TimeSpan _probeDelay;
    private RepositoryMode _mode = RepositoryMode.Starting;
    private string? _lastError;
    private long _droppedReported;
    private long _historyQueries;
    private bool _projectionStarted;
    private IActorRef _writer = ActorRefs.Nobody;

    public ClipRepository(RepositorySettings settings)
    {
        _settings = settings;
        _store = settings.Store;
        _spool = new EventSpool(settings.SpoolFolder, settings.SpoolMaxEvents);
        _probeDelay = settings.ProbeBackoffMin;
        Become(Starting);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RepositorySettings settings) => Akka.Actor.Props.Create(() => new ClipRepository(settings));

    protected override void PreStart()
    {
        if (!_spool.IsEmpty)
        {
            _log.Warning("{0} event(s) from before the last stop are waiting in the spool; they are written once the database answers", _spool.Count);
        }

        _writer = Context.ActorOf(ClipEventWriter.Props(_store), "writer");
        ProbeDatabase();
        Timers.StartPeriodicTimer(nameof(SyncSpool), SyncSpool.Instance, SpoolSyncInterval);
    }

    protected override void PostStop()
    {
        _spool.Sync();
        _spool.Dispose();
        base.PostStop();
    }

    /// <summary>Database not checked yet: nothing is sent to the journal, history queries wait for the check.</summary>
    private void Starting()
    {
        _mode = RepositoryMode.Starting;
        Receive<IClipEvent>(Accept);
        Receive<LoadClipHistory>(HoldQuery);
        Receive<DatabaseReachable>(_ => StartDraining());
        Receive<DatabaseUnreachable>(unreachable =>
        {
            _log.Warning("Database unreachable ({0}); {1} event(s) spooled, next check in {2}", unreachable.Error.Message, _spool.Count, _probeDelay);
            BecomeOffline(unreachable.Error.Message);
            AnswerHeldQueries();
        });
        Common();
    }

    /// <summary>The journal takes every event; each is kept until the writer confirms it.</summary>
    private void Online()
    {
        _mode = RepositoryMode.Online;
        Receive<IClipEvent>(Accept);
        Receive<LoadClipHistory>(ReadHistory);
        Receive<DatabaseReachable>(_ => { });
        Receive<DatabaseUnreachable>(_ => { });
        Common();
    }

    /// <summary>
    /// The database is unreachable. A clip whose earlier events are still with the writer holds its new ones
    /// back until those are settled, so its events reach the spool in order.
    /// </summary>
    private void Offline()
    {
        _mode = RepositoryMode.Offline;
        Receive<IClipEvent>(Accept);
        Receive<LoadClipHistory>(query => Sender.Tell(new ClipHistory(query.ClipId, null)));
        Receive<CheckDatabase>(_ => ProbeDatabase());
        Receive<DatabaseReachable>(_ => StartDraining());
        Receive<DatabaseUnreachable>(unreachable =>
        {
            _lastError = unreachable.Error.Message;
            _log.Warning("Database unreachable ({0}); {1} event(s) spooled, next check in {2}", unreachable.Error.Message, _spool.Count, _probeDelay);
            ScheduleProbe();
        });
        Common();
    }

    /// <summary>The database answers again: the spool is written in order, new events queue behind it.</summary>
    private void Draining()
    {
        _mode = RepositoryMode.Draining;
        Receive<IClipEvent>(Accept);
        Receive<LoadClipHistory>(HoldQuery);
        Receive<DatabaseReachable>(_ => { });
        Receive<DatabaseUnreachable>(_ => { });
        Common();
    }

    private void Common()
    {
        Receive<EventStored>(OnEventStored);
        Receive<EventNotStored>(OnEventNotStored);
        Receive<AwaitClipDurable>(OnAwaitClipDurable);
        Receive<SyncSpool>(_ => SyncSpoolToDisk());
        Receive<CheckDatabase>(_ => { });
        Receive<GetStoreHealth>(_ => Sender.Tell(new StoreHealth(_mode.ToWireName(), _spool.Count, _spool.Dropped, _lastError)));
    }

    /// <summary>
    /// Where an event goes in each mode: to the writer when online; otherwise to the spool, in order — offline,
    /// a clip whose earlier events are still with the writer holds new ones back until those are settled.
    /// One method rather than one per behaviour, because held-back events re-enter here synchronously.
    /// </summary>
    private void Accept(IClipEvent evt)
    {
        switch (_mode)
        {
            case RepositoryMode.Online:
                Send(evt, spoolSequence: null);
                break;
            case RepositoryMode.Offline when _unconfirmed.ContainsKey(evt.ClipId):
                HeldBackOf(evt.ClipId).Add(evt);
                break;
            default:
                Spool(evt);
                break;
        }
    }

    /// <summary>A write failed: the event goes to the spool (a spooled one is still there) and the journal counts as down.</summary>
    private void OnEventNotStored(EventNotStored failed)
    {
        var lost = TakeUnconfirmed(failed.Event.ClipId);
        if (lost is { SpoolSequence: null })
        {
            Spool(lost.Event);
        }
        else if (lost is not null)
        {
            _spooledInFlight--; // still in the spool: written again after the next successful check
        }

        if (_mode is RepositoryMode.Online or RepositoryMode.Draining)
        {
            _log.Error("Journal unavailable ({0}): events go to the local spool until the database answers", failed.Cause.Message);
            BecomeOffline(failed.Cause.Message);
            AnswerHeldQueries();
        }

        AfterUnconfirmedChanged(failed.Event.ClipId);
    }

    private void OnEventStored(EventStored stored)
    {
        var confirmed = TakeUnconfirmed(stored.ClipId);
        if (confirmed?.SpoolSequence is { } sequence)
        {
            _spooledInFlight--;
            _confirmedSpooled.Add(sequence);
            AcknowledgeSpool();
            if (_mode == RepositoryMode.Draining)
            {
                DrainSpool();
            }
        }

        AfterUnconfirmedChanged(stored.ClipId);
    }

    private void OnAwaitClipDurable(AwaitClipDurable request)
    {
        if (!_durableWaiters.TryGetValue(request.ClipId, out var waiters))
        {
            _durableWaiters[request.ClipId] = waiters = [];
        }

        if (!waiters.Contains(Sender))
        {
            waiters.Add(Sender);
        }

        AnswerDurableWaiters(request.ClipId);
    }

    /// <summary>
    /// Answers the clip's durability waiters when nothing of it is only in memory: no event waits for the
    /// journal without a spooled copy, none is held back, and its spooled events are fsync'd (done here,
    /// at once, rather than waiting for the periodic sync).
    /// </summary>
    private void AnswerDurableWaiters(ClipId clipId)
    {
        if (!_durableWaiters.TryGetValue(clipId, out var waiters))
        {
            return;
        }

        object? answer = null;
        if (_lost.Remove(clipId))
        {
            answer = new ClipNotDurable(clipId, "the event spool was full and dropped some of its events");
        }
        else if (!_heldBack.ContainsKey(clipId)
                 && !(_unconfirmed.TryGetValue(clipId, out var queue) && queue.Any(u => u.SpoolSequence is null)))
        {
            if (_spooledNotSynced.Contains(clipId))
            {
                SyncSpoolToDisk();
            }

            answer = new ClipDurable(clipId);
        }

        if (answer is null)
        {
            return;
        }

        _durableWaiters.Remove(clipId);
        foreach (var waiter in waiters)
        {
            waiter.Tell(answer);
        }
    }

    private void ReadHistory(LoadClipHistory query) =>
        Context.ActorOf(ClipJournal.Props(query.ClipId), $"history-{query.ClipId}-{++_historyQueries}").Forward(query);

    private void HoldQuery(LoadClipHistory query) => _heldQueries.Add((query, Sender));

    private void AnswerHeldQueries()
    {
        foreach (var (query, sender) in _heldQueries)
        {
            Self.Tell(query, sender);
        }

        _heldQueries.Clear();
    }

    private void ProbeDatabase()
    {
        (_store?.EnsureSchemaAsync(CancellationToken.None) ?? Task.CompletedTask).PipeTo(Self,
            success: () => DatabaseReachable.Instance,
            failure: ex => new DatabaseUnreachable(ex));
    }

    private void ScheduleProbe()
    {
        Timers.StartSingleTimer(nameof(CheckDatabase), CheckDatabase.Instance, _probeDelay);
        _probeDelay = TimeSpan.FromTicks(Math.Min(_probeDelay.Ticks * 2, _settings.ProbeBackoffMax.Ticks));
    }

    private void StartDraining()
    {
        _probeDelay = _settings.ProbeBackoffMin;
        _lastError = null;
        StartProjectionOnce();
        if (!_spool.IsEmpty)
        {
            _log.Info("Database reachable; writing {0} spooled event(s)", _spool.Count);
        }

        _spoolHandedOutThrough = 0;
        Become(Draining);
        DrainSpool();
    }

    /// <summary>The projection reads tables the schema check has just created, so it starts only now.</summary>
    private void StartProjectionOnce()
    {
        if (_projectionStarted || _store is null || !_settings.RunProjection)
        {
            return;
        }

        _projectionStarted = true;
        Context.ActorOf(ClipProjection.Props(_store, _settings.ProjectionBackoffMin, _settings.ProbeBackoffMax), "projection");
    }

    private void BecomeOffline(string reason)
    {
        _spoolHandedOutThrough = 0;
        _lastError = reason;
        Become(Offline);
        ScheduleProbe();
    }

    private void DrainSpool()
    {
        var batch = _spool.Take(MaxSpooledInFlight - _spooledInFlight, _spoolHandedOutThrough);
        foreach (var spooled in batch)
        {
            if (_confirmedSpooled.Contains(spooled.Sequence))
            {
                continue;
            }

            _spooledInFlight++;
            Send(spooled.Event, spooled.Sequence);
        }

        if (batch.Count > 0)
        {
            _spoolHandedOutThrough = batch[^1].Sequence;
        }

        if (_spool.IsEmpty && _spooledInFlight == 0)
        {
            Become(Online);
            _log.Info("Journal online");
            AnswerHeldQueries();
        }
    }

    private void AcknowledgeSpool()
    {
        while (_spool.FirstSequence is { } first && _confirmedSpooled.Remove(first))
        {
            _spool.AcknowledgeThrough(first);
        }
    }

    private void Spool(IClipEvent evt)
    {
        if (_spool.TryAppend(evt))
        {
            _spooledNotSynced.Add(evt.ClipId);
        }
        else
        {
            _lost.Add(evt.ClipId);
            if (_spool.Dropped > _droppedReported)
            {
                _droppedReported = _spool.Dropped;
                _log.Error("Event spool is full ({0} events): dropped {1} of clip {2} ({3} dropped in all); the clip is not marked done and is processed again at the next start",
                    _settings.SpoolMaxEvents, ClipEvents.WireNames[evt.GetType()], evt.ClipId, _spool.Dropped);
            }
        }

        AnswerDurableWaiters(evt.ClipId);
    }

    private Unconfirmed? TakeUnconfirmed(ClipId clipId)
    {
        if (!_unconfirmed.TryGetValue(clipId, out var queue) || !queue.TryDequeue(out var oldest))
        {
            return null;
        }

        if (queue.Count == 0)
        {
            _unconfirmed.Remove(clipId);
        }

        return oldest;
    }

    /// <summary>Once a clip has nothing left with the writer, its held-back events go on (in order); then its waiters may hear.</summary>
    private void AfterUnconfirmedChanged(ClipId clipId)
    {
        if (!_unconfirmed.ContainsKey(clipId) && _heldBack.Remove(clipId, out var held))
        {
            foreach (var evt in held)
            {
                Accept(evt);
            }
        }

        AnswerDurableWaiters(clipId);
    }

    private void Send(IClipEvent evt, long? spoolSequence)
    {
        if (!_unconfirmed.TryGetValue(evt.ClipId, out var queue))
        {
            _unconfirmed[evt.ClipId] = queue = new Queue<Unconfirmed>();
        }

        queue.Enqueue(new Unconfirmed(evt, spoolSequence));
        _writer.Tell(evt);
    }

    private List<IClipEvent> HeldBackOf(ClipId clipId)
    {
        if (!_heldBack.TryGetValue(clipId, out var held))
        {
            _heldBack[clipId] = held = [];
        }

        return held;
    }

    private void SyncSpoolToDisk()
    {
        if (_spooledNotSynced.Count == 0)
        {
            return;
        }

        _spool.Sync();
        _spooledNotSynced.Clear();
    }

    private sealed record Unconfirmed(IClipEvent Event, long? SpoolSequence);

    private sealed record CheckDatabase
    {
        public static CheckDatabase Instance { get; } = new();
    }

    private sealed record SyncSpool
    {
        public static SyncSpool Instance { get; } = new();
    }

    private sealed record DatabaseReachable
    {
        public static DatabaseReachable Instance { get; } = new();
    }

    private sealed record DatabaseUnreachable(Exception Error);
}

/// <summary>The repository's modes, as shown on <c>/health</c>.</summary>
public enum RepositoryMode
{
    Starting,
    Online,
    Offline,
    Draining,
}

public static class RepositoryModeNames
{
    public static string ToWireName(this RepositoryMode mode) => mode switch
    {
        RepositoryMode.Starting => "starting",
        RepositoryMode.Online => "online",
        RepositoryMode.Offline => "offline",
        RepositoryMode.Draining => "draining",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}

/// <param name="SpoolFolder">Where events wait while the database is unreachable.</param>
/// <param name="Store">The query tables (and, on PostgreSQL, the journal's tables); null for a journal without them (in-memory tests).</param>
public sealed record RepositorySettings(
    ClipStore? Store,
    string SpoolFolder,
    int SpoolMaxEvents)
{
    public TimeSpan ProbeBackoffMin { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ProbeBackoffMax { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ProjectionBackoffMin { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether this repository keeps clip_states/clip_events up to date (off only to measure the write path alone).</summary>
    public bool RunProjection { get; init; } = true;
}
