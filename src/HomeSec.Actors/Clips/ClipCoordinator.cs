using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Workers;
using HomeSec.Core.Clips;
using static HomeSec.Actors.Clips.ClipProtocol;

namespace HomeSec.Actors.Clips;

/// <summary>
/// Admits clips into the pipeline: at most <c>max_clips_in_flight</c> at once (one
/// <see cref="ClipSupervisor"/> each, named <c>clip-{id}</c>), the rest wait in arrival order. A clip
/// id already running or waiting is ignored. The camera that sent a clip hears when it is processed.
/// A clip whose only step left is storing it (uploads failing, retried with backoff) gives back its slot
/// and keeps running beside the bound, so a storage outage does not hold up the alerts of new clips.
/// </summary>
public sealed class ClipCoordinator : ReceiveActor, IWithStash
{
    private ClipPipeline? _pipeline;
    private readonly int _maxInFlight;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<ClipId, Running> _running = [];
    private readonly Dictionary<ClipId, Running> _waitingForStorage = [];
    private readonly Queue<(RecordedClip Clip, IActorRef Camera)> _waiting = new();
    private readonly HashSet<ClipId> _waitingIds = [];
    private IActorRef? _drainRequester;

    /// <summary>Recordings still going on that live detection reported on (one <see cref="LiveClipActor"/> each).</summary>
    private readonly Dictionary<ClipId, IActorRef> _live = [];

    /// <summary>Clips whose recording ended, waiting for their live actor to stop before their supervisor starts.</summary>
    private readonly Dictionary<ClipId, (RecordedClip Clip, IActorRef Camera)> _afterLive = [];

    public ClipCoordinator(ClipPipeline pipeline, int maxInFlight)
    {
        _pipeline = pipeline;
        _maxInFlight = maxInFlight;
        Admitting();
    }

    /// <summary>
    /// The coordinator of the actor tree: it asks <paramref name="workers"/> for the stage actors and, until they
    /// answer, keeps every clip and question (stashed), so cameras may start at once.
    /// </summary>
    public ClipCoordinator(IActorRef workers, ClipSettings settings, IActorRef repository)
    {
        _maxInFlight = settings.MaxClipsInFlight;
        workers.Tell(WorkerProtocol.GetPools.Instance);
        Receive<WorkerPoolsReady>(pools =>
        {
            _pipeline = settings.Pipeline(pools, repository);
            Stash.UnstashAll();
            Become(Admitting);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    public IStash Stash { get; set; } = null!;

    private void Admitting()
    {
        Receive<ProcessClip>(message => Admit(message.Clip, Sender));
        Receive<LiveDetected>(OnLiveDetected);
        Receive<LiveFinished>(OnLiveFinished);
        Receive<ClipProcessed>(OnClipProcessed);
        Receive<ClipWaitingForStorage>(OnClipWaitingForStorage);
        Receive<Terminated>(OnSupervisorStopped);
        Receive<GetClipsInFlight>(_ => Sender.Tell(new ClipsInFlight(_running.Keys.ToList(), _waiting.Count)
        {
            WaitingForStorage = _waitingForStorage.Keys.ToList(),
        }));
        Receive<DrainClips>(_ => Drain());
        Receive<ReleaseLocalCopy>(release =>
        {
            if (_waitingForStorage.TryGetValue(release.ClipId, out var running))
            {
                running.Supervisor.Forward(release);
            }
            else
            {
                Sender.Tell(new LocalCopyNotReleased(release.ClipId, "the clip is not waiting for storage (any more)"));
            }
        });
    }

    public static Props Props(ClipPipeline pipeline, int maxInFlight) => Akka.Actor.Props.Create(() => new ClipCoordinator(pipeline, maxInFlight));

    public static Props Props(IActorRef workers, ClipSettings settings, IActorRef repository) =>
        Akka.Actor.Props.Create(() => new ClipCoordinator(workers, settings, repository));

    /// <summary>A supervisor that throws (a bug) is restarted and reads its journal; after repeated crashes it is stopped.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(3, TimeSpan.FromMinutes(1), _ => Directive.Restart);

    private void OnLiveDetected(LiveDetected live)
    {
        var clipId = live.Detection.ClipId;
        if (_drainRequester is not null || _running.ContainsKey(clipId) || _waitingForStorage.ContainsKey(clipId) || _waitingIds.Contains(clipId) ||
            _afterLive.ContainsKey(clipId))
        {
            return; // the recording is over already: its clip's filter looks at it
        }

        if (!_live.TryGetValue(clipId, out var actor))
        {
            actor = Context.ActorOf(LiveClipActor.Props(clipId, live.Detection.CameraName, _pipeline!), $"live-{clipId}");
            Context.Watch(actor);
            _live[clipId] = actor;
        }

        actor.Forward(live);
    }

    private void OnLiveFinished(LiveFinished finished)
    {
        if (_afterLive.Remove(finished.ClipId, out var pending))
        {
            Admit(pending.Clip with
            {
                DetectionAlertReason = finished.AlertReason,
                LiveDetections = finished.Frames.Count > 0 ? finished.Frames : null,
                LiveFrameSize = finished.FrameSize,
            }, pending.Camera);
        }
    }

    private void Admit(RecordedClip clip, IActorRef camera)
    {
        var clipId = clip.ClipId;
        if (_drainRequester is not null)
        {
            return;
        }

        if (_live.Remove(clipId, out var live))
        {
            // One writer per clip stream: the live actor finishes (its events are already with the repository) before
            // the supervisor writes the first of its own.
            Context.Unwatch(live);
            _afterLive[clipId] = (clip, camera);
            live.Tell(FinishLive.Instance);
            return;
        }

        if (_running.ContainsKey(clipId) || _waitingForStorage.ContainsKey(clipId) || _waitingIds.Contains(clipId))
        {
            _log.Debug("Clip {0} is already in the pipeline; ignoring the duplicate", clipId);
            return;
        }

        if (_running.Count < _maxInFlight)
        {
            Start(clip, camera);
        }
        else
        {
            _waiting.Enqueue((clip, camera));
            _waitingIds.Add(clipId);
        }
    }

    private void Start(RecordedClip clip, IActorRef camera)
    {
        var supervisor = Context.ActorOf(ClipSupervisor.Props(clip, _pipeline!), $"clip-{clip.ClipId}");
        Context.Watch(supervisor);
        _running[clip.ClipId] = new Running(supervisor, camera);
    }

    private void OnClipProcessed(ClipProcessed processed)
    {
        if (_running.Remove(processed.ClipId, out var running) || _waitingForStorage.Remove(processed.ClipId, out running))
        {
            Context.Unwatch(running.Supervisor);
            running.Camera.Tell(processed);
        }

        StartWaiting();
    }

    private void OnClipWaitingForStorage(ClipWaitingForStorage waiting)
    {
        if (_running.Remove(waiting.ClipId, out var running))
        {
            _waitingForStorage[waiting.ClipId] = running;
            _log.Warning("Clip {0} is analysed and alerted; it waits for storage (uploads retried with backoff) outside the in-flight bound", waiting.ClipId);
        }

        StartWaiting();
    }

    private void OnSupervisorStopped(Terminated terminated)
    {
        var live = _live.FirstOrDefault(pair => pair.Value.Equals(terminated.ActorRef));
        if (live.Value is not null)
        {
            _live.Remove(live.Key); // abandoned (no clip came) or crashed too often: the clip, if it comes, has no fast alert
            return;
        }

        foreach (var clips in new[] { _running, _waitingForStorage })
        {
            var entry = clips.FirstOrDefault(pair => pair.Value.Supervisor.Equals(terminated.ActorRef));
            if (entry.Value is not null)
            {
                _log.Error("Clip {0} stopped before it was processed; it stays on disk and is resumed at the next start", entry.Key);
                clips.Remove(entry.Key);
            }
        }

        StartWaiting();
    }

    private void Drain()
    {
        _drainRequester = Sender;
        _log.Info("Shutting down: admitting no more clips; {0} in flight, {1} waiting (they stay on disk for the next start)", _running.Count, _waiting.Count);
        _waiting.Clear();
        _waitingIds.Clear();
        ReplyWhenDrained();
    }

    private void ReplyWhenDrained()
    {
        if (_drainRequester is not null && _running.Count == 0)
        {
            _drainRequester.Tell(new Drained(0));
        }
    }

    private void StartWaiting()
    {
        ReplyWhenDrained();
        while (_running.Count < _maxInFlight && _waiting.TryDequeue(out var next))
        {
            _waitingIds.Remove(next.Clip.ClipId);
            Start(next.Clip, next.Camera);
        }
    }

    private sealed record Running(IActorRef Supervisor, IActorRef Camera);
}
