using Akka.Actor;
using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Actors.Workers;

/// <summary>Runs the object detector on a clip.</summary>
public sealed class FilterWorker(IObjectFilter filter, string pluginName, TimeSpan timeout, int parallelism)
    : StageWorker<StartFilter, FilterResult>(timeout, parallelism)
{
    public static Props Props(IObjectFilter filter, string pluginName, TimeSpan timeout, int parallelism) =>
        Akka.Actor.Props.Create(() => new FilterWorker(filter, pluginName, timeout, parallelism));

    protected override Stage Stage => Stage.Filter;

    protected override (HomeSec.Core.Clips.ClipId ClipId, Stage Stage, int Attempt) KeyOf(StartFilter job) => (job.Clip.ClipId, Stage.Filter, job.Attempt);

    protected override Task<FilterResult> ExecuteAsync(StartFilter job, CancellationToken cancellationToken) =>
        filter.DetectAsync(job.Clip, cancellationToken);

    protected override StageError ToError(StartFilter job, Exception exception) => new FilterError(job.Clip.ClipId, pluginName, exception);

    protected override object ToReply(StartFilter job, StageResult<FilterResult> result) => new FilterStageResult(job.Clip.ClipId, job.Attempt, result);
}
