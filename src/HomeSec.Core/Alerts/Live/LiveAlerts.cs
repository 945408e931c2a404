using System.Collections.Immutable;
using HomeSec.Core.Alerts.Gate;
using HomeSec.Core.Clips;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Core.Alerts.Live;

/// <summary>What live detection has done for one recording so far.</summary>
/// <param name="Recorded">object_detected events written (capped: a long recording must not flood the journal).</param>
/// <param name="AlertReason">Why the fast alert went out; null until it did.</param>
public sealed record LiveAlertState(ClipId ClipId, string CameraName, int Recorded, ImmutableHashSet<string> SeenClasses, string? AlertReason)
{
    public const int MaxRecorded = 20;

    /// <summary>Frames kept for the filter to reuse (a long recording keeps its first ones).</summary>
    public const int MaxFrames = 200;

    /// <summary>The frames with trigger-class objects, in clip time: the clip's filter result when it reuses them.</summary>
    public ImmutableList<FrameDetections> Frames { get; init; } = [];

    public (int Width, int Height)? FrameSize { get; init; }

    public static LiveAlertState Start(ClipId clipId, string cameraName) => new(clipId, cameraName, 0, [], null);
}

/// <summary>What the live clip actor does with one detection: events to record, and a proposal for the gate when a fast alert is due.</summary>
public sealed record LiveStep(LiveAlertState State, IReadOnlyList<IClipEvent> Events, AlertProposal? Proposal, DetectedBox? Trigger);

/// <summary>
/// The fast alert (phase <c>detected</c>), as pure decisions: the first trigger-class object live detection sees
/// is proposed to the alert gate (mode, required zones, cooldown: the same rules as the final alert); once one passed,
/// no other fast alert for the recording. Objects of other classes are not recorded.
/// </summary>
public static class LiveAlerts
{
    public static LiveStep OnDetection(LiveAlertState state, LiveDetection detection, IReadOnlyCollection<string> triggerClasses,
        CameraAlertRules rules, DateTimeOffset now)
    {
        var triggers = detection.Boxes.Where(b => triggerClasses.Contains(b.Class, StringComparer.OrdinalIgnoreCase)).OrderByDescending(b => b.Confidence).ToList();
        if (triggers.Count == 0)
        {
            return new LiveStep(state, [], null, null);
        }

        var events = new List<IClipEvent>();
        var timeS = Math.Max(0, (detection.FrameAt - detection.RecordingStartedAt).TotalSeconds);
        if (state.Frames.Count < LiveAlertState.MaxFrames)
        {
            state = state with { Frames = state.Frames.Add(new FrameDetections(Math.Round(timeS, 2), triggers)), FrameSize = (detection.FrameWidth, detection.FrameHeight) };
        }
        foreach (var box in triggers)
        {
            // The first of each class, then the others while the budget lasts.
            var worth = !state.SeenClasses.Contains(box.Class) || state.Recorded < LiveAlertState.MaxRecorded / 2;
            if (worth && state.Recorded < LiveAlertState.MaxRecorded)
            {
                var zones = rules.Zones.Where(z => z.Contains(box, detection.FrameWidth, detection.FrameHeight)).Select(z => z.Name).ToList();
                events.Add(new ObjectDetected(detection.ClipId, now, detection.CameraName, box, Math.Round(timeS, 2), zones));
                state = state with { Recorded = state.Recorded + 1, SeenClasses = state.SeenClasses.Add(box.Class) };
            }
        }

        if (state.AlertReason is not null)
        {
            return new LiveStep(state, events, null, null);
        }

        var best = triggers[0];
        var filter = new FilterResult([.. triggers.Select(b => b.Class).Distinct(StringComparer.Ordinal)], best.Confidence, 1, "live")
        {
            Frames = [new FrameDetections(timeS, triggers)],
            FrameWidth = detection.FrameWidth,
            FrameHeight = detection.FrameHeight,
        };
        var proposal = new AlertProposal(detection.CameraName, new AlertDecision(true, $"{best.Class} detected"), filter, null, triggerClasses);
        return new LiveStep(state, events, proposal, best);
    }

    /// <summary>The gate's answer: a passed proposal is the fast alert (recorded first, then sent); a suppressed one is only logged.</summary>
    public static (LiveAlertState State, IReadOnlyList<IClipEvent> Events, Alert? Alert) OnGated(LiveAlertState state, AlertDecision decision,
        DetectedBox trigger, LiveDetection detection, IReadOnlyList<string> notifiers, string? viewUrl, DateTimeOffset now)
    {
        if (!decision.Notify || state.AlertReason is not null || notifiers.Count == 0)
        {
            return (state, [], null);
        }

        var alert = new Alert(detection.ClipId, detection.CameraName, null, viewUrl, null, null, decision.Reason, null, detection.RecordingStartedAt, UploadFailed: false)
        {
            Phase = AlertPhases.Detected,
            DetectedClass = trigger.Class,
            DetectedClasses = [trigger.Class],
            DetectedAt = detection.FrameAt,
            Zones = decision.Zones,
        };
        return (state with { AlertReason = decision.Reason }, [new DetectionAlerted(detection.ClipId, now, decision.Reason, notifiers)], alert);
    }
}
