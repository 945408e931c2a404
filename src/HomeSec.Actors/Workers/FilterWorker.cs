using Akka.Actor;
using Akka.Event;
using HomeSec.Core.Alerts;
using HomeSec.Core.Alerts.Live;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Actors.Workers;

/// <summary>
/// Runs the object detector on a clip, then makes the alert's snapshot (the best trigger-class detection, its box
/// drawn) beside the clip and stores it as <c>snapshot.jpg</c> beside the clip in storage. The snapshot is
/// best-effort: a failure is logged and the filter result stands without it.
/// </summary>
public sealed class FilterWorker(IObjectFilter filter, string pluginName, TimeSpan timeout, int parallelism, IStorageBackend? storage,
    IReadOnlyCollection<string> triggerClasses, bool reuseLiveDetections)
    : StageWorker<StartFilter, FilterResult>(timeout, parallelism)
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public static Props Props(IObjectFilter filter, string pluginName, TimeSpan timeout, int parallelism, IStorageBackend? storage = null,
        IReadOnlyCollection<string>? triggerClasses = null, bool reuseLiveDetections = false) =>
        Akka.Actor.Props.Create(() => new FilterWorker(filter, pluginName, timeout, parallelism, storage, triggerClasses ?? Array.Empty<string>(), reuseLiveDetections));

    protected override Stage Stage => Stage.Filter;

    protected override (HomeSec.Core.Clips.ClipId ClipId, Stage Stage, int Attempt) KeyOf(StartFilter job) => (job.Clip.ClipId, Stage.Filter, job.Attempt);

    protected override async Task<FilterResult> ExecuteAsync(StartFilter job, CancellationToken cancellationToken)
    {
        var reused = reuseLiveDetections ? LiveDetectionReuse.FilterResultOf(job.Clip, filter) : null;
        var result = reused ?? await filter.DetectAsync(job.Clip, cancellationToken);
        if (Snapshot.BestDetection(result, triggerClasses) is not { } best)
        {
            return result;
        }

        var path = Snapshot.PathFor(job.Clip);
        try
        {
            // Live boxes are in detect-frame pixels; the snapshot is drawn on the clip's own (main stream) frame.
            var box = reused is null ? best.Box : await LiveDetectionReuse.ToClipPixelsAsync(best.Box, result, job.Clip.LocalPath, cancellationToken);
            await Snapshot.MakeAsync(job.Clip.LocalPath, best.TimeS, box, path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
        {
            _log.Warning("No snapshot for clip {0}: {1}", job.Clip.ClipId, ex.Message);
            return result;
        }

        string? storageUri = null;
        if (storage is not null)
        {
            try
            {
                storageUri = (await storage.PutFileAsync(path, StorageKeys.ForClipSidecar(job.Clip, Snapshot.StorageFileName), cancellationToken)).StorageUri;
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                _log.Warning("Could not store the snapshot of clip {0}: {1}", job.Clip.ClipId, ex.Message);
            }
        }

        return result with { Snapshot = new SnapshotRef(path, storageUri, best.TimeS) };
    }

    protected override StageError ToError(StartFilter job, Exception exception) => new FilterError(job.Clip.ClipId, pluginName, exception);

    protected override object ToReply(StartFilter job, StageResult<FilterResult> result) => new FilterStageResult(job.Clip.ClipId, job.Attempt, result);
}
