using Akka.Actor;
using HomeSec.Core.Plugins;
using HomeSec.Core.Results;
using static HomeSec.Actors.Workers.WorkerProtocol;

namespace HomeSec.Actors.Workers;

/// <summary>Copies a clip to storage under <c>{camera}/{clip_id}</c>.</summary>
public sealed class UploadWorker(IStorageBackend storage, string pluginName, TimeSpan timeout, int parallelism)
    : StageWorker<StartUpload, StoredObject>(timeout, parallelism)
{
    public static Props Props(IStorageBackend storage, string pluginName, TimeSpan timeout, int parallelism) =>
        Akka.Actor.Props.Create(() => new UploadWorker(storage, pluginName, timeout, parallelism));

    protected override Stage Stage => Stage.Upload;

    protected override (HomeSec.Core.Clips.ClipId ClipId, Stage Stage, int Attempt) KeyOf(StartUpload job) => (job.Clip.ClipId, Stage.Upload, job.Attempt);

    protected override Task<StoredObject> ExecuteAsync(StartUpload job, CancellationToken cancellationToken) =>
        storage.PutFileAsync(job.Clip.LocalPath, StorageKeys.ForClip(job.Clip), cancellationToken);

    protected override StageError ToError(StartUpload job, Exception exception) => new UploadError(job.Clip.ClipId, pluginName, exception);

    protected override object ToReply(StartUpload job, StageResult<StoredObject> result) => new UploadResult(job.Clip.ClipId, job.Attempt, result);
}
