using HomeSec.Core.Alerts;
using HomeSec.Core.Results;

namespace HomeSec.Core.Clips;

/// <summary>Marker for every event of a clip's lifecycle; the serializer is bound to it.</summary>
public interface IClipEvent
{
    ClipId ClipId { get; }

    /// <summary>When it happened. Applying an event never reads the clock.</summary>
    DateTimeOffset At { get; }
}

/// <summary>The events of a clip's lifecycle, in past tense.</summary>
public static class ClipEvents
{
    public sealed record ClipRecorded(
        ClipId ClipId, DateTimeOffset At, string CameraName, string LocalPath,
        DateTimeOffset StartedAt, DateTimeOffset EndedAt, long SizeBytes) : IClipEvent;

    public sealed record UploadStarted(ClipId ClipId, DateTimeOffset At, string Plugin, int Attempt) : IClipEvent;

    public sealed record UploadCompleted(
        ClipId ClipId, DateTimeOffset At, string Plugin, string StorageUri, string? ViewUrl) : IClipEvent;

    public sealed record UploadFailed(
        ClipId ClipId, DateTimeOffset At, int Attempt, ErrorInfo Error, bool WillRetry) : IClipEvent;

    public sealed record FilterStarted(ClipId ClipId, DateTimeOffset At, string Plugin, int Attempt) : IClipEvent;

    public sealed record FilterCompleted(ClipId ClipId, DateTimeOffset At, FilterResult Result) : IClipEvent;

    public sealed record FilterFailed(
        ClipId ClipId, DateTimeOffset At, int Attempt, ErrorInfo Error, bool WillRetry) : IClipEvent;

    public sealed record VlmStarted(ClipId ClipId, DateTimeOffset At, string Plugin, int Attempt) : IClipEvent;

    public sealed record VlmCompleted(ClipId ClipId, DateTimeOffset At, AnalysisResult Result) : IClipEvent;

    public sealed record VlmFailed(
        ClipId ClipId, DateTimeOffset At, int Attempt, ErrorInfo Error, bool WillRetry) : IClipEvent;

    public sealed record VlmSkipped(ClipId ClipId, DateTimeOffset At, string Reason) : IClipEvent;

    public sealed record AlertDecisionMade(ClipId ClipId, DateTimeOffset At, AlertDecision Decision) : IClipEvent;

    public sealed record NotificationSent(ClipId ClipId, DateTimeOffset At, string Notifier) : IClipEvent;

    /// <summary>
    /// Live detection saw a trigger-class object while the clip was being recorded (<paramref name="TimeS"/> seconds
    /// after the recording started; the box in detect-frame pixels; the zones its bottom centre is in).
    /// </summary>
    public sealed record ObjectDetected(ClipId ClipId, DateTimeOffset At, string CameraName, DetectedBox Box, double TimeS, IReadOnlyList<string> Zones) : IClipEvent;

    /// <summary>The first, fast alert of the clip (phase <c>detected</c>) passed the policy and the gate and went to these notifiers.</summary>
    public sealed record DetectionAlerted(ClipId ClipId, DateTimeOffset At, string Reason, IReadOnlyList<string> Notifiers) : IClipEvent;

    public sealed record NotificationFailed(
        ClipId ClipId, DateTimeOffset At, string Notifier, int Attempt, ErrorInfo Error, bool WillRetry) : IClipEvent;

    /// <summary>
    /// The notifier kept failing, so the alert waits in that notifier's on-disk outbox and is delivered
    /// (notification_sent) when the notifier is back.
    /// </summary>
    public sealed record NotificationQueued(ClipId ClipId, DateTimeOffset At, string Notifier, string Reason) : IClipEvent;

    /// <summary>The pipeline has nothing more to do for the clip: status becomes done, or error when a stage gave up.</summary>
    public sealed record ClipCompleted(ClipId ClipId, DateTimeOffset At, bool HadErrors) : IClipEvent;

    /// <summary>
    /// Retention deleted one copy of the clip: <paramref name="Target"/> local (the file on this machine) or remote
    /// (the storage backend's copy), for <paramref name="Reason"/> (age, size, floor, floor_critical, source_files, recheck).
    /// A local deletion is recorded before the file goes; a remote one after the backend confirmed it.
    /// </summary>
    public sealed record ClipDeleted(ClipId ClipId, DateTimeOffset At, string Reason, string Target, long Bytes) : IClipEvent;

    /// <summary><c>homesec cleanup --recheck-model</c> ran a second model on a clip whose filter found nothing, and found these.</summary>
    public sealed record ClipRechecked(ClipId ClipId, DateTimeOffset At, string Model, IReadOnlyList<string> DetectedClasses, double BestConfidence) : IClipEvent;

    /// <summary>Every event type with its stable wire name (what the journal stores as manifest).</summary>
    public static IReadOnlyDictionary<Type, string> WireNames { get; } = new Dictionary<Type, string>
    {
        [typeof(ClipRecorded)] = "clip_recorded",
        [typeof(UploadStarted)] = "upload_started",
        [typeof(UploadCompleted)] = "upload_completed",
        [typeof(UploadFailed)] = "upload_failed",
        [typeof(FilterStarted)] = "filter_started",
        [typeof(FilterCompleted)] = "filter_completed",
        [typeof(FilterFailed)] = "filter_failed",
        [typeof(VlmStarted)] = "vlm_started",
        [typeof(VlmCompleted)] = "vlm_completed",
        [typeof(VlmFailed)] = "vlm_failed",
        [typeof(VlmSkipped)] = "vlm_skipped",
        [typeof(AlertDecisionMade)] = "alert_decision_made",
        [typeof(NotificationSent)] = "notification_sent",
        [typeof(ObjectDetected)] = "object_detected",
        [typeof(DetectionAlerted)] = "detection_alerted",
        [typeof(NotificationFailed)] = "notification_failed",
        [typeof(NotificationQueued)] = "notification_queued",
        [typeof(ClipCompleted)] = "clip_completed",
        [typeof(ClipDeleted)] = "clip_deleted",
        [typeof(ClipRechecked)] = "clip_rechecked",
    };
}
