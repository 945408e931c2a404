using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;

namespace HomeSec.Actors.Workers;

/// <summary>Jobs for the worker pools and their replies. Every reply is a value: success or a typed stage error.</summary>
public static class WorkerProtocol
{
    public sealed record StartUpload(RecordedClip Clip, int Attempt);

    public sealed record UploadResult(ClipId ClipId, int Attempt, StageResult<StoredObject> Outcome);

    public sealed record StartFilter(RecordedClip Clip, int Attempt);

    public sealed record FilterStageResult(ClipId ClipId, int Attempt, StageResult<FilterResult> Outcome);

    public sealed record StartVlm(RecordedClip Clip, FilterResult Filter, int Attempt);

    public sealed record VlmStageResult(ClipId ClipId, int Attempt, StageResult<AnalysisResult> Outcome);

    /// <param name="Notifiers">The notifiers to deliver to (those that have not delivered this alert yet).</param>
    public sealed record SendAlert(Alert Alert, IReadOnlyCollection<string> Notifiers, int Attempt);

    /// <param name="Outcomes">One per notifier asked: success carries the notifier's name.</param>
    public sealed record NotifyResult(ClipId ClipId, int Attempt, IReadOnlyList<StageResult<string>> Outcomes);
}
