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
            UploadFailed { WillRetry: false } e => this with { UploadFailed = true, Errors = Errors.Add(e.Error) },
            FilterCompleted e => this with { Filter = e.Result },
            FilterFailed { WillRetry: false } e => this with { Errors = Errors.Add(e.Error) },
            VlmCompleted e => this with { Analysis = e.Result, Status = Advance(ClipStatus.Analyzed) },
            VlmFailed { WillRetry: false } e => this with { Errors = Errors.Add(e.Error) },
            VlmSkipped e => this with { VlmSkippedReason = e.Reason },
            AlertDecisionMade e => this with { AlertDecision = e.Decision, Status = Advance(ClipStatus.Analyzed) },
            NotificationSent e => this with { NotifiedBy = NotifiedBy.Add(e.Notifier), QueuedFor = QueuedFor.Remove(e.Notifier) },
            NotificationQueued e => this with { QueuedFor = QueuedFor.Add(e.Notifier) },
            NotificationFailed { WillRetry: false } e => this with { Errors = Errors.Add(e.Error) },
            ClipCompleted e => this with { Status = e.HadErrors ? ClipStatus.Error : ClipStatus.Done },
            ClipDeleted => this with { Status = ClipStatus.Deleted },
            ClipRechecked => this with { Status = ClipStatus.QueuedLocal, AlertDecision = null, Analysis = null, Filter = null },
            _ => this,
        };
        return next with { UpdatedAt = evt.At, CreatedAt = next.CreatedAt ?? evt.At };
    }

    public bool IsFinished => Status is ClipStatus.Done or ClipStatus.Error or ClipStatus.Deleted;

    /// <summary>True when the stage gave up on this clip (a final failure, not one that is retried).</summary>
    public bool GaveUp(Stage stage) => Errors.Any(e => e.Stage == stage.ToWireName());

    private ClipStatus Advance(ClipStatus to) => Status is ClipStatus.QueuedLocal or ClipStatus.Uploaded ? to : Status;
}
