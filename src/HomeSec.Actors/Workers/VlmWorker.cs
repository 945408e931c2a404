using Akka.Actor;
using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Actors.Workers;

/// <summary>Asks the vision-language model to describe a clip.</summary>
public sealed class VlmWorker(IVlmAnalyzer analyzer, string pluginName, TimeSpan timeout)
    : StageWorker<StartVlm, AnalysisResult>(timeout)
{
    public static Props Props(IVlmAnalyzer analyzer, string pluginName, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new VlmWorker(analyzer, pluginName, timeout));

    protected override Task<AnalysisResult> ExecuteAsync(StartVlm job, CancellationToken cancellationToken) =>
        analyzer.AnalyzeAsync(job.Clip, job.Filter, cancellationToken);

    protected override StageError ToError(StartVlm job, Exception exception) => new VlmError(job.Clip.ClipId, pluginName, exception);

    protected override object ToReply(StartVlm job, StageResult<AnalysisResult> result) => new VlmStageResult(job.Clip.ClipId, job.Attempt, result);
}
