using System.Text.Json;
using Akka.Hosting;
using HomeSec.Actors;
using HomeSec.Actors.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HomeSec.Api;

/// <summary>
/// <c>GET /health/live</c>: 200 while the process and its actor system are alive, whatever the cameras do (for
/// container healthchecks and restarts). <c>GET /health/ready</c> and <c>GET /health</c>: each camera source's
/// health, storage, the stages, the state store, the clips in flight, the notifiers and the inference pool; 503
/// when a component is unhealthy (degraded) or the actor tree does not answer.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>The tag of the ASP.NET Core health checks that make up liveness (registered with the actor system).</summary>
    public const string LiveTag = "live";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = WriteLiveAsync,
        }).RequireAuthorization(Web.Auth.WebAuth.HealthPolicy);
        endpoints.MapGet("/health", ReadyAsync).RequireAuthorization(Web.Auth.WebAuth.HealthPolicy);
        endpoints.MapGet("/health/ready", ReadyAsync).RequireAuthorization(Web.Auth.WebAuth.HealthPolicy);
        return endpoints;
    }

    /// <summary>Where the NVR's frames went (null outside a cluster's NVR): the inference nodes, and counts of frames sent, re-sent and failed.</summary>
    private static object? Routing(InferenceProtocol.InferenceRouting routing) =>
        ReferenceEquals(routing, InferenceProtocol.InferenceRouting.None)
            ? null
            : new
            {
                nodes = routing.Nodes.Select(n => new { address = n.Address, ready = n.Ready, reachable = n.Reachable, in_flight = n.InFlight, sent = n.Sent, transport = n.Transport }),
                sent_remote = routing.SentRemote,
                sent_local = routing.SentLocal,
                resent = routing.Resent,
                failed = routing.Failed,
                in_flight = routing.InFlight,
            };

    private static Task WriteLiveAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status == HealthStatus.Healthy ? "alive" : "dead",
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), detail = e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }

    private static async Task<IResult> ReadyAsync(IRequiredActor<HomeSecRoot> root, Akka.Actor.ActorSystem system, CancellationToken cancellationToken)
    {
        if (await DaemonStatus.QueryAsync(await root.GetAsync(cancellationToken), cancellationToken) is not { } status)
        {
            return Results.Json(new { status = "unavailable", detail = "the actor system did not answer in time" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var (cameras, clips, store, inference, outboxes, stages) = status;
        var routing = status.Routing;
        var upload = stages.GetValueOrDefault("upload");
        var body = new
        {
            status = status.Healthy ? "ok" : "degraded",
            sources = cameras.Cameras.ToDictionary(c => c.Key, c => new { healthy = c.Value.Healthy, last_heartbeat = c.Value.LastHeartbeat, detail = c.Value.Detail }),
            clips = new
            {
                in_flight = clips.Running.Count,
                waiting = clips.Waiting,
                waiting_for_storage = clips.WaitingForStorage.Count,
                running = clips.Running.Select(id => id.Value).Order(StringComparer.Ordinal),
            },
            storage = new
            {
                healthy = status.StorageHealthy,
                uploads_running = upload?.Running ?? 0,
                uploads_queued = upload?.Queued ?? 0,
                consecutive_failures = upload?.ConsecutiveFailures ?? 0,
                last_error_kind = upload?.LastErrorKind,
                last_error = upload?.LastError,
                last_success = upload?.LastSuccessAt,
            },
            stages = stages.ToDictionary(s => s.Key, s => new
            {
                healthy = s.Value.Healthy,
                running = s.Value.Running,
                queued = s.Value.Queued,
                parallelism = s.Value.Parallelism,
                succeeded = s.Value.Succeeded,
                failed = s.Value.Failed,
                consecutive_failures = s.Value.ConsecutiveFailures,
                last_error_kind = s.Value.LastErrorKind,
            }),
            disk = new
            {
                healthy = !status.Retention.BelowFloor,
                below_floor = status.Retention.BelowFloor,
                below_critical = status.Retention.BelowCritical,
                min_free_bytes = status.Retention.MinFreeBytes,
                critical_free_bytes = status.Retention.CriticalFreeBytes,
                volumes = status.Retention.Volumes.Select(v => new { mount_point = v.MountPoint, free_bytes = v.FreeBytes, total_bytes = v.TotalBytes }),
                local_clip_bytes = status.Retention.LocalBytesPerCamera,
                last_retention_pass = status.Retention.LastPassAt,
                deleted = status.Retention.DeletedByReason,
                deletion_failures = status.Retention.DeletionFailures,
            },
            notifiers = outboxes.ToDictionary(o => o.Notifier, o => new { outbox_waiting = o.Waiting, outbox_dropped = o.Dropped, connected = o.Connected, connection_error = o.ConnectionError }),
            state_store = new { healthy = store.Mode == "online", mode = store.Mode, spooled_events = store.Spooled, dropped_events = store.Dropped, last_error = store.LastError },
            inference = inference.Enabled
                ? new
                {
                    enabled = true, model = inference.Model, execution_provider = inference.Provider, device = inference.Device, workers = inference.Workers,
                    max_batch = inference.MaxBatch, queued = inference.Queued, batches = inference.Batches, frames = inference.Frames,
                    last_batch_ms = Math.Round(inference.LastBatchMs, 1), frames_per_second = Math.Round(inference.Recent.FramesPerSecond, 1),
                    p50_ms = Math.Round(inference.Recent.P50Ms, 1), p99_ms = Math.Round(inference.Recent.P99Ms, 1), routing = Routing(routing),
                }
                : (object)new { enabled = routing.Nodes.Count > 0 || routing.SentRemote > 0, routing = Routing(routing) },
            cluster = ClusterEndpoints.Summary(system),
        };
        return Results.Json(body, statusCode: status.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
