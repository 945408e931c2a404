using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Actors.Workers;

/// <summary>
/// Asks the vision-language model to describe a clip, then stores the analysis as <c>analysis.json</c> beside the
/// clip in storage. Storing it is best-effort: the analysis is already in the clip's events, so a storage failure
/// is logged and does not fail the stage.
/// </summary>
public sealed class VlmWorker(IVlmAnalyzer analyzer, string pluginName, TimeSpan timeout, IStorageBackend? storage, int parallelism)
    : StageWorker<StartVlm, AnalysisResult>(timeout, parallelism)
{
    public const string AnalysisFileName = StorageKeys.AnalysisFileName;

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public static Props Props(IVlmAnalyzer analyzer, string pluginName, TimeSpan timeout, IStorageBackend? storage, int parallelism) =>
        Akka.Actor.Props.Create(() => new VlmWorker(analyzer, pluginName, timeout, storage, parallelism));

    protected override Stage Stage => Stage.Vlm;

    protected override (ClipId ClipId, Stage Stage, int Attempt) KeyOf(StartVlm job) => (job.Clip.ClipId, Stage.Vlm, job.Attempt);

    protected override async Task<AnalysisResult> ExecuteAsync(StartVlm job, CancellationToken cancellationToken)
    {
        var analysis = await analyzer.AnalyzeAsync(job.Clip, job.Filter, cancellationToken);
        if (storage is not null)
        {
            await StoreAnalysisAsync(storage, job.Clip, analysis, cancellationToken);
        }

        return analysis;
    }

    protected override StageError ToError(StartVlm job, Exception exception) => new VlmError(job.Clip.ClipId, pluginName, exception);

    protected override object ToReply(StartVlm job, StageResult<AnalysisResult> result) => new VlmStageResult(job.Clip.ClipId, job.Attempt, result);

    private async Task StoreAnalysisAsync(IStorageBackend target, RecordedClip clip, AnalysisResult analysis, CancellationToken cancellationToken)
    {
        var key = StorageKeys.ForClipSidecar(clip, AnalysisFileName);
        var document = new AnalysisDocument(clip.ClipId, clip.CameraName, pluginName, analysis);
        try
        {
            await target.PutJsonAsync(key, JsonSerializer.Serialize(document, AnalysisJson), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            _log.Warning(ex, "Could not store {0} of clip {1}: {2}", key, clip.ClipId, ex.Message);
        }
    }

    private static readonly JsonSerializerOptions AnalysisJson = new(ClipEventSerializer.JsonOptions) { WriteIndented = true };

    /// <summary>The content of <c>analysis.json</c>: the same snake_case shape as the vlm_completed event's result.</summary>
    public sealed record AnalysisDocument(ClipId ClipId, string CameraName, string Plugin, AnalysisResult Analysis);
}
