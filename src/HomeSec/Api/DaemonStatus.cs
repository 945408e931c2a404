using Akka.Actor;
using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Retention;
using HomeSec.Actors.Workers;
using HomeSec.Actors.Workers.Outbox;

namespace HomeSec.Api;

/// <summary>What the actor tree says about itself, asked once per HTTP request (health, metrics).</summary>
public sealed record DaemonStatus(
    CameraProtocol.CamerasHealth Cameras,
    ClipProtocol.ClipsInFlight Clips,
    RepositoryProtocol.StoreHealth Store,
    InferenceProtocol.InferenceStatus Inference,
    IReadOnlyList<OutboxProtocol.OutboxStatus> Outboxes,
    IReadOnlyDictionary<string, WorkerProtocol.StageHealth> Stages)
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Storing clips is P0: storage is degraded while uploads fail (they are retried until stored).</summary>
    public bool StorageHealthy => !Stages.TryGetValue("upload", out var upload) || upload.Healthy;

    /// <summary>Disk figures and deletions of the retention actor (free space below min_free_gb is degraded).</summary>
    public RetentionProtocol.RetentionStatus Retention { get; init; } = RetentionProtocol.RetentionStatus.Disabled;

    /// <summary>Where the cluster's inference router sent frames (a cluster's NVR; none elsewhere).</summary>
    public InferenceProtocol.InferenceRouting Routing { get; init; } = InferenceProtocol.InferenceRouting.None;

    public bool Healthy => Cameras.Cameras.Values.All(h => h.Healthy) && Store.Mode == "online" && StorageHealthy && !Retention.BelowFloor;

    /// <summary>Null when the actor system does not answer in time.</summary>
    public static async Task<DaemonStatus?> QueryAsync(IActorRef homesec, CancellationToken cancellationToken)
    {
        try
        {
            var outboxes = await homesec.Ask<OutboxProtocol.NotifierOutboxes>(OutboxProtocol.GetNotifierOutboxes.Instance, QueryTimeout, cancellationToken);
            var outboxStatus = await Task.WhenAll(outboxes.Outboxes.Values.Select(outbox =>
                outbox.Ask<OutboxProtocol.OutboxStatus>(OutboxProtocol.GetOutboxStatus.Instance, QueryTimeout, cancellationToken)));
            var stages = await homesec.Ask<WorkerProtocol.Stages>(WorkerProtocol.GetStages.Instance, QueryTimeout, cancellationToken);
            var stageHealth = await Task.WhenAll(stages.ByName.Select(async pair =>
                (pair.Key, await pair.Value.Ask<WorkerProtocol.StageHealth>(WorkerProtocol.GetStageHealth.Instance, QueryTimeout, cancellationToken))));
            return new DaemonStatus(
                await homesec.Ask<CameraProtocol.CamerasHealth>(CameraProtocol.GetCamerasHealth.Instance, QueryTimeout, cancellationToken),
                await homesec.Ask<ClipProtocol.ClipsInFlight>(ClipProtocol.GetClipsInFlight.Instance, QueryTimeout, cancellationToken),
                await homesec.Ask<RepositoryProtocol.StoreHealth>(RepositoryProtocol.GetStoreHealth.Instance, QueryTimeout, cancellationToken),
                await homesec.Ask<InferenceProtocol.InferenceStatus>(InferenceProtocol.GetInferenceStatus.Instance, QueryTimeout, cancellationToken),
                outboxStatus.OrderBy(o => o.Notifier, StringComparer.Ordinal).ToList(),
                stageHealth.ToDictionary(p => p.Key, p => p.Item2, StringComparer.Ordinal))
            {
                Retention = await homesec.Ask<RetentionProtocol.RetentionStatus>(RetentionProtocol.GetRetentionStatus.Instance, QueryTimeout, cancellationToken),
                Routing = await homesec.Ask<InferenceProtocol.InferenceRouting>(InferenceProtocol.GetInferenceRouting.Instance, QueryTimeout, cancellationToken),
            };
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
