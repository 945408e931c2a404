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

    /// <summary>
    /// From a stage's workers to the clip: the job waits for a free worker. Its deadline stops: the stage
    /// owns it now and answers when it has run (a job waiting in a queue is not a worker that hangs).
    /// </summary>
    public sealed record StageJobQueued(ClipId ClipId, Stage Stage, int Attempt);

    /// <summary>From a stage's workers to the clip: the job runs now; its deadline starts again.</summary>
    public sealed record StageJobStarted(ClipId ClipId, Stage Stage, int Attempt);

    /// <param name="Outcomes">One per notifier asked: success carries the notifier's name.</param>
    public sealed record NotifyResult(ClipId ClipId, int Attempt, IReadOnlyList<StageResult<string>> Outcomes);

    /// <summary>Asks the worker pools for the stage actors and outboxes; answered with <see cref="WorkerPoolsReady"/>.</summary>
    public sealed record GetPools
    {
        public static GetPools Instance { get; } = new();
    }

    /// <summary>Asks the root for the stage actors (by stage wire name), to ask each for its <see cref="StageHealth"/>.</summary>
    public sealed record GetStages
    {
        public static GetStages Instance { get; } = new();
    }

    public sealed record Stages(IReadOnlyDictionary<string, Akka.Actor.IActorRef> ByName);

    public sealed record GetStageHealth
    {
        public static GetStageHealth Instance { get; } = new();
    }

    /// <param name="ConsecutiveFailures">Failed jobs since the last success: above 0 the stage is degraded.</param>
    /// <param name="LastErrorKind">What the last failure was (<see cref="StageFailureKinds.Classify"/>): disk_full, permission, server_error, …</param>
    public sealed record StageHealth(
        Stage Stage, int Running, int Queued, int Parallelism, long Succeeded, long Failed,
        int ConsecutiveFailures, string? LastErrorKind, string? LastError, DateTimeOffset? LastSuccessAt)
    {
        public bool Healthy => ConsecutiveFailures == 0;
    }
}
