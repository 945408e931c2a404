using Akka.Actor;
using Akka.Event;
using HomeSec.Core.Alerts.Gate;
using HomeSec.Core.Alerts.Live;
using HomeSec.Core.Clips;
using HomeSec.Core.Results;
using static HomeSec.Actors.Clips.ClipProtocol;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Actors.Clips;

/// <summary>
/// One recording while it is still going on (RTSP cameras with live detection): records what live detection saw as
/// events of the clip and sends the fast alert (phase <c>detected</c>) as soon as a trigger-class object passes the
/// alert gate — seconds before the clip exists as a file. It is the clip stream's only writer until the recording ends:
/// then it answers the coordinator and stops, and only after that does the clip's supervisor start. The decisions are
/// <see cref="LiveAlerts"/>'s; the fast alert is at most once (not retried: the final alert follows anyway).
/// </summary>
public sealed class LiveClipActor : ReceiveActor
{
    /// <summary>The attempt number of the fast alert's send (the clip's supervisor numbers the final alert's from 1).</summary>
    public const int DetectedPhaseAttempt = 0;

    /// <summary>A recording that never turns into a clip (its file was empty or lost) does not keep this actor for ever.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromHours(2);

    private readonly ClipPipeline _pipeline;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private LiveAlertState _state;

    public LiveClipActor(ClipId clipId, string cameraName, ClipPipeline pipeline)
    {
        _pipeline = pipeline;
        _state = LiveAlertState.Start(clipId, cameraName);
        Receive<LiveDetected>(live => OnDetection(live.Detection));
        Receive<NotifyResult>(OnSent);
        Receive<FinishLive>(_ =>
        {
            Sender.Tell(new LiveFinished(_state.ClipId, _state.AlertReason) { Frames = _state.Frames, FrameSize = _state.FrameSize });
            Context.Stop(Self);
        });
        Receive<ReceiveTimeout>(_ => Context.Stop(Self));
    }

    public static Props Props(ClipId clipId, string cameraName, ClipPipeline pipeline) =>
        Akka.Actor.Props.Create(() => new LiveClipActor(clipId, cameraName, pipeline));

    protected override void PreStart() => Context.SetReceiveTimeout(Abandoned);

    private void OnDetection(LiveDetection detection)
    {
        var now = _pipeline.Clock.GetUtcNow();
        var rules = _pipeline.Rules;
        var cameraRules = _pipeline.Gate?.RulesOf(_state.CameraName) ?? CameraAlertRules.Default;
        var step = LiveAlerts.OnDetection(_state, detection, rules.TriggerClasses, cameraRules, now);
        _state = step.State;
        Record(step.Events);
        if (step.Proposal is not { } proposal || step.Trigger is not { } trigger)
        {
            return;
        }

        var decision = _pipeline.Gate?.Decide(proposal, now) ?? proposal.Decision;
        var (state, events, alert) = LiveAlerts.OnGated(_state, decision, trigger, detection, rules.DetectedPhaseNotifiers,
            rules.ViewUrlFor(_state.ClipId, null), now);
        _state = state;
        Record(events);
        if (alert is null)
        {
            _log.Info("Clip {0}: {1} seen live, no fast alert ({2})", _state.ClipId, trigger.Class, decision.Reason);
            return;
        }

        _log.Info("Clip {0}: {1} seen live ({2:P0}), fast alert to {3} {4:0} ms after the frame arrived", _state.ClipId, trigger.Class,
            trigger.Confidence, string.Join(", ", rules.DetectedPhaseNotifiers), (now - detection.FrameAt).TotalMilliseconds);
        _pipeline.Notify.Tell(new SendAlert(alert, rules.DetectedPhaseNotifiers, DetectedPhaseAttempt));
    }

    private void Record(IReadOnlyList<IClipEvent> events)
    {
        foreach (var evt in events)
        {
            _pipeline.Repository.Tell(evt);
        }
    }

    private void OnSent(NotifyResult result)
    {
        foreach (var failure in result.Outcomes.OfType<StageResult<string>.Failure>())
        {
            _log.Warning("Clip {0}: the fast alert did not reach a notifier ({1}); the final alert follows when the clip is done",
                _state.ClipId, failure.Error.Exception.Message);
        }
    }
}
