using Akka.Actor;
using Akka.Event;
using HomeSec.Core.Plugins;
using static HomeSec.Actors.Cameras.CameraProtocol;
using static HomeSec.Actors.Clips.ClipProtocol;

namespace HomeSec.Actors.Cameras;

/// <summary>
/// Wraps one camera's source plugin: its watch loop runs as a task that tells this actor each clip,
/// which goes to the coordinator; when the coordinator says a clip is processed, the source is told so
/// it never hands it over again. A source that fails makes this actor fail, and the
/// <see cref="CameraManager"/>'s backoff supervisor starts it again.
/// </summary>
public sealed class CameraActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan HealthReportInterval = TimeSpan.FromSeconds(5);

    private readonly string _cameraName;
    private readonly IClipSource _source;
    private readonly IActorRef _coordinator;
    private readonly IActorRef _manager;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();

    private readonly RunningSources _running;

    public CameraActor(string cameraName, Func<IClipSource> createSource, IActorRef coordinator, IActorRef manager, RunningSources running)
    {
        _running = running;
        _cameraName = cameraName;
        _source = createSource();
        _coordinator = coordinator;
        _manager = manager;

        Receive<ClipFound>(found => _coordinator.Tell(new ProcessClip(found.Clip)));
        Receive<LiveFound>(found => _coordinator.Tell(new LiveDetected(found.Detection)));
        Receive<ClipProcessed>(MarkProcessed);
        Receive<MarkProcessedSucceeded>(_ => { });
        Receive<MarkProcessedFailed>(failed =>
            _log.Error(failed.Error, "Camera {0} could not record that clip {1} is processed; it may be processed again after a restart", _cameraName, failed.ClipId));
        Receive<ReportHealth>(_ => _manager.Tell(new CameraHealthReport(_cameraName, _source.Health)));
        Receive<SourceStopped>(stopped => throw new SourceFailedException(_cameraName, stopped.Error));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string cameraName, Func<IClipSource> createSource, IActorRef coordinator, IActorRef manager, RunningSources running) =>
        Akka.Actor.Props.Create(() => new CameraActor(cameraName, createSource, coordinator, manager, running));

    protected override void PreStart()
    {
        var self = Self;
        var token = _stopping.Token;
        var watching = Task.Run(async () =>
        {
            await foreach (var clip in _source.WatchAsync(token))
            {
                self.Tell(new ClipFound(clip));
            }
        }, token);
        _running.Add(this, _stopping, watching);
        if (_source is HomeSec.Core.Alerts.Live.ILiveDetectionSource live)
        {
            // Detections while recording: straight to the coordinator, not behind the clip stream.
            _ = Task.Run(async () =>
            {
                await foreach (var detection in live.LiveDetections.ReadAllAsync(token))
                {
                    self.Tell(new LiveFound(detection));
                }
            }, token);
        }

        watching.PipeTo(self, success: () => new SourceStopped(null), failure: ex => new SourceStopped(ex));
        Timers.StartPeriodicTimer(nameof(ReportHealth), ReportHealth.Instance, TimeSpan.Zero, HealthReportInterval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void MarkProcessed(ClipProcessed processed)
    {
        _source.MarkProcessedAsync(processed.ClipId, _stopping.Token)
            .PipeTo(Self, success: () => MarkProcessedSucceeded.Instance, failure: ex => new MarkProcessedFailed(processed.ClipId, ex));
    }

    private sealed record LiveFound(HomeSec.Core.Alerts.Live.LiveDetection Detection);

    private sealed record ReportHealth
    {
        public static ReportHealth Instance { get; } = new();
    }

    private sealed record MarkProcessedSucceeded
    {
        public static MarkProcessedSucceeded Instance { get; } = new();
    }

    private sealed record MarkProcessedFailed(HomeSec.Core.Clips.ClipId ClipId, Exception Error);
}

public sealed class SourceFailedException(string cameraName, Exception? inner)
    : Exception(inner is null ? $"source of camera '{cameraName}' stopped" : $"source of camera '{cameraName}' failed: {inner.Message}", inner);
