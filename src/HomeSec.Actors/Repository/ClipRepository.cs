using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Clips;
using static HomeSec.Actors.Repository.RepositoryProtocol;

namespace HomeSec.Actors.Repository;

/// <summary>
/// Writes clip events through the <see cref="ClipEventWriter"/> (one event stream per clip), answers
/// history queries with a <see cref="ClipJournal"/>, and never lets a database outage lose events or
/// slow the pipeline — it keeps every event until the journal confirms it:
/// <list type="bullet">
/// <item>online: events go to the writer; each one is kept until it is confirmed.</item>
/// <item>offline: a write failed (database unreachable), or the database was not yet checked at start.
/// Unconfirmed and new events go, in order, to the <see cref="EventSpool"/> on disk; a probe with
/// backoff checks the database (and creates the tables it needs).</item>
/// <item>draining: the database answers; spooled events are written in order (new events queue
/// behind them), then online again.</item>
/// </list>
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
    private long _spoolHandedOutThrough;
    private int _spooledInFlight;
    private TimeSpan _probeDelay;
    private readonly List<(LoadClipHistory Query, IActorRef Sender)> _historyQueriesAtStart = [];
    private string _mode = "starting";
    private string? _lastError;
    private long _droppedReported;
    private long _historyQueries;
    private IActorRef _writer = ActorRefs.Nobody;

    public ClipRepository(RepositorySettings settings)
    {
        _settings = settings;
        _store = settings.Store;
        _spool = new EventSpool(settings.SpoolFolder, settings.SpoolMaxEvents);
        _probeDelay = settings.ProbeBackoffMin;

        Receive<IClipEvent>(OnEvent);
        Receive<EventStored>(OnEventStored);
        Receive<EventNotStored>(OnEventNotStored);
        Receive<LoadClipHistory>(OnLoadClipHistory);
        Receive<CheckDatabase>(_ => ProbeDatabase());
        Receive<DatabaseReachable>(_ => OnDatabaseReachable());
        Receive<DatabaseUnreachable>(unreachable => OnDatabaseUnreachable(unreachable.Error));
        Receive<SyncSpool>(_ => SyncSpoolToDisk());
        Receive<GetStoreHealth>(_ => Sender.Tell(new StoreHealth(_mode, _spool.Count, _spool.Dropped, _lastError)));
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
        if (_store is not null && _settings.RunProjection)
        {
            Context.ActorOf(ClipProjection.Props(_store, _settings.ProjectionBackoffMin, _settings.ProbeBackoffMax), "projection");
        }

        Self.Tell(CheckDatabase.Instance);
        Timers.StartPeriodicTimer(nameof(SyncSpool), SyncSpool.Instance, SpoolSyncInterval);
    }

    protected override void PostStop()
    {
        _spool.Sync();
        _spool.Dispose();
        base.PostStop();
    }

    private void OnEvent(IClipEvent evt)
    {
        if (_mode == "online")
        {
            Send(evt, spoolSequence: null);
        }
        else if (_unconfirmed.ContainsKey(evt.ClipId) && _mode is ("offline" or "starting"))
        {
            // The clip's journal may still fail its earlier events; they must reach the spool first.
            HeldBackOf(evt.ClipId).Add(evt);
        }
        else
        {
            Spool(evt);
        }
    }

    private void OnEventStored(EventStored stored)
    {
        if (!_unconfirmed.TryGetValue(stored.ClipId, out var queue) || !queue.TryDequeue(out var confirmed))
        {
            return;
        }

        if (queue.Count == 0)
        {
            _unconfirmed.Remove(stored.ClipId);
            ReleaseHeldBack(stored.ClipId);
        }

        if (confirmed.SpoolSequence is { } sequence)
        {
            _spooledInFlight--;
            _confirmedSpooled.Add(sequence);
            AcknowledgeSpool();
            if (_mode == "draining")
            {
                DrainSpool();
            }
        }
    }

    private void OnLoadClipHistory(LoadClipHistory query)
    {
        switch (_mode)
        {
            case "starting":
                _historyQueriesAtStart.Add((query, Sender));
                break;
            case "offline":
                Sender.Tell(new ClipHistory(query.ClipId, null));
                break;
            default:
                Context.ActorOf(ClipJournal.Props(query.ClipId), $"history-{query.ClipId}-{++_historyQueries}").Forward(query);
                break;
        }
    }

    private void OnEventNotStored(EventNotStored failed)
    {
        var clipId = failed.Event.ClipId;
        if (!_unconfirmed.TryGetValue(clipId, out var queue) || !queue.TryDequeue(out var lost))
        {
            return;
        }

        if (lost.SpoolSequence is null)
        {
            Spool(lost.Event);
        }
        else
        {
            _spooledInFlight--; // still in the spool: written again after the next successful check
        }

        GoOffline(failed.Cause.Message);
        if (queue.Count == 0)
        {
            _unconfirmed.Remove(clipId);
            ReleaseHeldBack(clipId);
        }
    }

    private void ProbeDatabase()
    {
        (_store?.EnsureSchemaAsync(CancellationToken.None) ?? Task.CompletedTask).PipeTo(Self,
            success: () => DatabaseReachable.Instance,
            failure: ex => new DatabaseUnreachable(ex));
    }

    private void OnDatabaseReachable()
    {
        if (_mode is not ("offline" or "starting"))
        {
            return;
        }

        _probeDelay = _settings.ProbeBackoffMin;
        _lastError = null;
        if (!_spool.IsEmpty)
        {
            _log.Info("Database reachable; writing {0} spooled event(s)", _spool.Count);
        }

        _mode = "draining";
        _spoolHandedOutThrough = 0;
        AnswerHistoryQueriesFromStart();
        DrainSpool();
    }

    private void OnDatabaseUnreachable(Exception error)
    {
        _lastError = error.Message;
        if (_mode == "starting")
        {
            _mode = "offline";
            AnswerHistoryQueriesFromStart();
        }

        _log.Warning("Database unreachable ({0}); {1} event(s) spooled, next check in {2}", error.Message, _spool.Count, _probeDelay);
        Timers.StartSingleTimer(nameof(ProbeDatabase), CheckDatabase.Instance, _probeDelay);
        _probeDelay = TimeSpan.FromTicks(Math.Min(_probeDelay.Ticks * 2, _settings.ProbeBackoffMax.Ticks));
    }

    private void AnswerHistoryQueriesFromStart()
    {
        foreach (var (query, sender) in _historyQueriesAtStart)
        {
            Self.Tell(query, sender);
        }

        _historyQueriesAtStart.Clear();
    }

    private void GoOffline(string reason)
    {
        if (_mode is "offline" or "starting")
        {
            return;
        }

        _log.Error("Journal unavailable ({0}): events go to the local spool until the database answers", reason);
        _spoolHandedOutThrough = 0;
        _mode = "offline";
        _lastError = reason;
        Timers.StartSingleTimer(nameof(ProbeDatabase), CheckDatabase.Instance, _probeDelay);
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
            _mode = "online";
            _log.Info("Journal online");
        }
    }

    private void AcknowledgeSpool()
    {
        long? through = null;
        while (_spool.FirstSequence is { } first && _confirmedSpooled.Remove(first))
        {
            through = first;
            _spool.AcknowledgeThrough(first);
        }

        if (through is not null && _spool.IsEmpty && _mode == "draining" && _spooledInFlight == 0)
        {
            DrainSpool();
        }
    }

    private void Spool(IClipEvent evt)
    {
        if (!_spool.TryAppend(evt) && _spool.Dropped > _droppedReported)
        {
            _droppedReported = _spool.Dropped;
            _log.Error("Event spool is full ({0} events): dropped {1} of clip {2} ({3} dropped in all)",
                _settings.SpoolMaxEvents, ClipEvents.WireNames[evt.GetType()], evt.ClipId, _spool.Dropped);
        }
    }

    private void ReleaseHeldBack(ClipId clipId)
    {
        if (!_heldBack.Remove(clipId, out var held))
        {
            return;
        }

        foreach (var evt in held)
        {
            OnEvent(evt);
        }
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
        if (!_spool.IsEmpty)
        {
            _spool.Sync();
        }
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
