using System.Collections.Immutable;
using HomeSec.Core.Alerts;
using HomeSec.Core.Results;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Core.Clips;

/// <summary>The query-side picture of one clip, folded from its events.</summary>
public sealed record ClipState
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required ClipId ClipId { get; init; }
    public ClipStatus Status { get; init; } = ClipStatus.QueuedLocal;
    public string? CameraName { get; init; }
    public string? LocalPath { get; init; }

    /// <summary>When the recording started (what retention measures a clip's age from).</summary>
    public DateTimeOffset? RecordedAt { get; init; }

    /// <summary>When the recording ended (the clip's length is the difference).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    public long? SizeBytes { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan? Duration => RecordedAt is { } start && EndedAt is { } end && end >= start ? end - start : null;
    public string? StorageUri { get; init; }
    public string? ViewUrl { get; init; }
    public bool UploadFailed { get; init; }
    public FilterResult? Filter { get; init; }
    public AnalysisResult? Analysis { get; init; }
    public string? VlmSkippedReason { get; init; }
    public AlertDecision? AlertDecision { get; init; }
    public ImmutableHashSet<string> NotifiedBy { get; init; } = [];

    /// <summary>Notifiers whose outbox holds this clip's alert (delivered later, then also in <see cref="NotifiedBy"/>).</summary>
    public ImmutableHashSet<string> QueuedFor { get; init; } = [];
    public ImmutableList<ErrorInfo> Errors { get; init; } = [];

    /// <summary>The last attempt started per stage (wire name), so a resumed clip continues its retries instead of restarting them.</summary>
    public ImmutableDictionary<string, int> Attempts { get; init; } = ImmutableDictionary<string, int>.Empty;

    /// <summary>Failed upload attempts: uploads are retried until stored, and the alert waits for at most the retry budget of them.</summary>
    public int UploadFailures { get; init; }

    /// <summary>Notifiers that will not deliver this clip's alert (rejected it, or failed every retry with no outbox).</summary>
    public ImmutableHashSet<string> NotifiersGivenUp { get; init; } = [];
    /// <summary>Retention deleted the clip file on this machine.</summary>
    public bool LocalDeleted { get; init; }

    /// <summary>Retention deleted the storage backend's copy.</summary>
    public bool RemoteDeleted { get; init; }

    /// <summary>Why the last copy was deleted (status deleted), or the local one.</summary>
    public string? DeletedReason { get; init; }

    /// <summary>What a second, larger model found when <c>homesec cleanup</c> rechecked the clip.</summary>
    public RecheckResult? Recheck { get; init; }

    /// <summary>What live detection saw while the clip was recorded (RTSP cameras with live_detection on).</summary>
    public ImmutableList<LiveObject> LiveDetections { get; init; } = [];

    /// <summary>Why the fast (phase <c>detected</c>) alert went out, when it did; the final alert then always follows.</summary>
    public string? DetectionAlertReason { get; init; }

    /// <summary>The stored copy exists: uploaded and not deleted by retention.</summary>
    public bool IsStoredRemotely => StorageUri is not null && !RemoteDeleted;

    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    public static ClipState Empty(ClipId clipId) => new() { ClipId = clipId };

    public static ClipState Replay(ClipId clipId, IEnumerable<IClipEvent> events) =>
        events.Aggregate(Empty(clipId), (state, evt) => state.Apply(evt));

    public ClipState Apply(IClipEvent evt)
    {
        var next = evt switch
        {
            ClipRecorded e => this with
            {
                CameraName = e.CameraName,
                LocalPath = e.LocalPath,
                RecordedAt = e.StartedAt,
                EndedAt = e.EndedAt,
                SizeBytes = e.SizeBytes,
                Status = ClipStatus.QueuedLocal,
                CreatedAt = CreatedAt ?? e.At,
            },
            UploadCompleted e => this with
            {
                StorageUri = e.StorageUri,
                ViewUrl = e.ViewUrl,
                UploadFailed = false,
                Status = Status == ClipStatus.QueuedLocal ? ClipStatus.Uploaded : Status,
            },
            UploadStarted e => this with { Attempts = Attempts.SetItem(Stage.Upload.ToWireName(), e.Attempt) },
            UploadFailed e => this with
            {
                UploadFailed = UploadFailed || !e.WillRetry,
                UploadFailures = UploadFailures + 1,
                Errors = e.WillRetry ? Errors : Errors.Add(e.Error), // journals before uploads retried for ever
            },
            FilterStarted e => this with { Attempts = Attempts.SetItem(Stage.Filter.ToWireName(), e.Attempt) },
            VlmStarted e => this with { Attempts = Attempts.SetItem(Stage.Vlm.ToWireName(), e.Attempt) },
            FilterCompleted e => this with { Filter = e.Result },
            FilterFailed { WillRetry: false } e => this with { Errors = Errors.Add(e.Error) },
            VlmCompleted e => this with { Analysis = e.Result, Status = Advance(ClipStatus.Analyzed) },
            VlmFailed { WillRetry: false } e => this with { Errors = Errors.Add(e.Error) },
            VlmSkipped e => this with { VlmSkippedReason = e.Reason },
            AlertDecisionMade e => this with { AlertDecision = e.Decision, Status = Advance(ClipStatus.Analyzed) },
            NotificationSent e => this with { NotifiedBy = NotifiedBy.Add(e.Notifier), QueuedFor = QueuedFor.Remove(e.Notifier) },
            NotificationQueued e => this with { QueuedFor = QueuedFor.Add(e.Notifier) },
            NotificationFailed e => this with
            {
                Attempts = Attempts.SetItem(Stage.Notify.ToWireName(), Math.Max(Attempt(Stage.Notify), e.Attempt)),
                NotifiersGivenUp = e.WillRetry ? NotifiersGivenUp : NotifiersGivenUp.Add(e.Notifier),
                Errors = e.WillRetry ? Errors : Errors.Add(e.Error),
            },
            ClipCompleted e => this with { Status = e.HadErrors ? ClipStatus.Error : ClipStatus.Done },
            ClipDeleted e => Deleted(e),
            ObjectDetected e => this with
            {
                CameraName = CameraName ?? e.CameraName,
                LiveDetections = LiveDetections.Add(new LiveObject(e.Box, e.TimeS, e.Zones)),
            },
            DetectionAlerted e => this with { DetectionAlertReason = e.Reason },
            ClipRechecked e => this with { Recheck = new RecheckResult(e.Model, e.DetectedClasses, e.BestConfidence, e.At) },
            _ => this,
        };
        return next with { UpdatedAt = evt.At, CreatedAt = next.CreatedAt ?? evt.At };
    }

    /// <summary>The last attempt of the stage this clip's events record (0: never started).</summary>
    public int Attempt(Stage stage) => Attempts.GetValueOrDefault(stage.ToWireName());

    public bool IsFinished => Status is ClipStatus.Done or ClipStatus.Error or ClipStatus.Deleted;

    /// <summary>True when the stage gave up on this clip (a final failure, not one that is retried).</summary>
    public bool GaveUp(Stage stage) => Errors.Any(e => e.Stage == stage.ToWireName());

    /// <summary>One copy gone; the clip is deleted once no copy is left (a clip never stored has only the local one).</summary>
    private ClipState Deleted(ClipDeleted e)
    {
        var next = e.Target == "remote" ? this with { RemoteDeleted = true } : this with { LocalDeleted = true };
        var noCopyLeft = next.LocalDeleted && (next.StorageUri is null || next.RemoteDeleted);
        return next with
        {
            DeletedReason = e.Reason,
            Status = noCopyLeft ? ClipStatus.Deleted : next.Status,
        };
    }

    private ClipStatus Advance(ClipStatus to) => Status is ClipStatus.QueuedLocal or ClipStatus.Uploaded ? to : Status;
}

/// <summary>One object live detection saw during the recording.</summary>
public sealed record LiveObject(DetectedBox Box, double TimeS, IReadOnlyList<string> Zones);

/// <summary>What <c>homesec cleanup --recheck-model</c> found in a clip whose filter found nothing.</summary>
public sealed record RecheckResult(string Model, IReadOnlyList<string> DetectedClasses, double BestConfidence, DateTimeOffset At);
