using Akka.Actor;
using Akka.Hosting;
using HomeSec.Actors;
using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Repository;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Api;

/// <summary><c>GET /health</c>: each camera source's health, the state store, the clips in flight and the inference pool (model, execution provider); 503 when a component is unhealthy.</summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", async (IRequiredActor<HomeSecRoot> root, CancellationToken cancellationToken) =>
        {
            var homesec = await root.GetAsync(cancellationToken);
            CameraProtocol.CamerasHealth cameras;
            ClipProtocol.ClipsInFlight clips;
            RepositoryProtocol.StoreHealth store;
            InferenceProtocol.InferenceStatus inference;
            try
            {
                cameras = await homesec.Ask<CameraProtocol.CamerasHealth>(CameraProtocol.GetCamerasHealth.Instance, QueryTimeout, cancellationToken);
                clips = await homesec.Ask<ClipProtocol.ClipsInFlight>(ClipProtocol.GetClipsInFlight.Instance, QueryTimeout, cancellationToken);
                store = await homesec.Ask<RepositoryProtocol.StoreHealth>(RepositoryProtocol.GetStoreHealth.Instance, QueryTimeout, cancellationToken);
                inference = await homesec.Ask<InferenceProtocol.InferenceStatus>(InferenceProtocol.GetInferenceStatus.Instance, QueryTimeout, cancellationToken);
            }
            catch (AskTimeoutException)
            {
                return Results.Json(new { status = "unavailable", detail = "the actor system did not answer in time" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var healthy = cameras.Cameras.Values.All(h => h.Healthy) && store.Mode == "online";
            var body = new
            {
                status = healthy ? "ok" : "degraded",
                sources = cameras.Cameras.ToDictionary(c => c.Key, c => new { healthy = c.Value.Healthy, last_heartbeat = c.Value.LastHeartbeat, detail = c.Value.Detail }),
                clips = new { in_flight = clips.Running.Count, waiting = clips.Waiting },
                state_store = new { healthy = store.Mode == "online", mode = store.Mode, spooled_events = store.Spooled, dropped_events = store.Dropped, last_error = store.LastError },
                inference = inference.Enabled
                    ? new { enabled = true, model = inference.Model, execution_provider = inference.Provider, workers = inference.Workers, max_batch = inference.MaxBatch, batches = inference.Batches, frames = inference.Frames, last_batch_ms = Math.Round(inference.LastBatchMs, 1) }
                    : (object)new { enabled = false },
            };
            return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}
