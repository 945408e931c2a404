using Akka.Actor;
using Akka.Hosting;
using HomeSec.Actors;
using HomeSec.Actors.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Api;

/// <summary>
/// <c>GET /health/inference</c>: every inference pool this node knows of, each with its provider, device, queue, frames per
/// second and the p50/p99 of its runs over the last minute: this node's own and, on a cluster's NVR, each inference node's
/// (asked over the cluster). Read-only, on the health port like <c>/health</c>; <c>homesec inspect inference</c> prints it.
/// </summary>
public static class InferenceEndpoints
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapInferenceEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/inference", async (IRequiredActor<HomeSecRoot> root, CancellationToken cancellationToken) =>
        {
            try
            {
                var nodes = await (await root.GetAsync(cancellationToken)).Ask<InferenceProtocol.InferenceNodes>(InferenceProtocol.GetInferenceNodes.Instance, QueryTimeout, cancellationToken);
                return Results.Json(new { nodes = nodes.Nodes.Select(Node) });
            }
            catch (AskTimeoutException)
            {
                return Results.Json(new { error = "the actor system did not answer in time" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).RequireAuthorization(Web.Auth.WebAuth.HealthPolicy);
        return endpoints;
    }

    /// <summary>One pool's figures, as /health shows this node's and /health/inference each node's.</summary>
    public static object Pool(InferenceProtocol.InferenceStatus status) => new
    {
        enabled = status.Enabled,
        model = status.Model,
        execution_provider = status.Provider,
        device = status.Device,
        workers = status.Workers,
        max_batch = status.MaxBatch,
        queued = status.Queued,
        batches = status.Batches,
        frames = status.Frames,
        last_batch_ms = Math.Round(status.LastBatchMs, 1),
        recent = new
        {
            window_s = status.Recent.WindowSeconds,
            batches = status.Recent.BatchMs.Count,
            frames_per_second = Math.Round(status.Recent.FramesPerSecond, 1),
            p50_ms = Math.Round(status.Recent.P50Ms, 1),
            p99_ms = Math.Round(status.Recent.P99Ms, 1),
        },
    };

    private static object Node(InferenceProtocol.InferenceNodeStatus node) => new
    {
        address = node.Address,
        self = node.Self,
        answered = node.Status is not null,
        problem = node.Problem,
        pool = node.Status is { } status ? Pool(status) : null,
        routed = node.Routing is { } routing ? new { ready = routing.Ready, reachable = routing.Reachable, in_flight = routing.InFlight, sent = routing.Sent, transport = routing.Transport } : null,
    };
}
