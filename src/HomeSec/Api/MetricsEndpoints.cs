using System.Globalization;
using System.Text;
using Akka.Hosting;
using HomeSec.Actors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Api;

/// <summary><c>GET /metrics</c>: the daemon's gauges and counters in Prometheus' text format.</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", async (IRequiredActor<HomeSecRoot> root, CancellationToken cancellationToken) =>
        {
            if (await DaemonStatus.QueryAsync(await root.GetAsync(cancellationToken), cancellationToken) is not { } status)
            {
                return Results.Text("# the actor system did not answer in time\n", "text/plain; version=0.0.4", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var text = new StringBuilder();
            Gauge(text, "homesec_up", "1 when every component is healthy", status.Healthy ? 1 : 0);
            Gauge(text, "homesec_clips_in_flight", "clips being processed", status.Clips.Running.Count);
            Gauge(text, "homesec_clips_waiting", "clips waiting for a free slot", status.Clips.Waiting);
            Header(text, "homesec_source_healthy", "gauge", "1 when the camera's source received data recently");
            foreach (var (camera, health) in status.Cameras.Cameras.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"homesec_source_healthy{{camera=\"{camera}\"}} {(health.Healthy ? 1 : 0)}\n");
            }

            foreach (var counter in status.Cameras.Cameras.Values.SelectMany(h => h.Counters.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var name = $"homesec_source_{counter}_total";
                Header(text, name, "counter", $"{counter.Replace('_', ' ')} of the camera's source since start");
                foreach (var (camera, health) in status.Cameras.Cameras.Where(c => c.Value.Counters.ContainsKey(counter)).OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}{{camera=\"{camera}\"}} {health.Counters[counter]}\n");
                }
            }

            Header(text, "homesec_notifier_outbox_waiting", "gauge", "alerts waiting for a notifier that is down");
            foreach (var outbox in status.Outboxes)
            {
                text.Append(CultureInfo.InvariantCulture, $"homesec_notifier_outbox_waiting{{notifier=\"{outbox.Notifier}\"}} {outbox.Waiting}\n");
            }

            Header(text, "homesec_notifier_outbox_dropped_total", "counter", "alerts dropped because a notifier's outbox was full");
            foreach (var outbox in status.Outboxes)
            {
                text.Append(CultureInfo.InvariantCulture, $"homesec_notifier_outbox_dropped_total{{notifier=\"{outbox.Notifier}\"}} {outbox.Dropped}\n");
            }

            Gauge(text, "homesec_clips_waiting_for_storage", "clips analysed and alerted whose upload is retried with backoff", status.Clips.WaitingForStorage.Count);
            Gauge(text, "homesec_storage_healthy", "1 while uploads succeed; 0 while they fail (retried until stored)", status.StorageHealthy ? 1 : 0);
            if (status.Stages.TryGetValue("upload", out var upload))
            {
                Counter(text, "homesec_uploads_failed_total", "failed upload attempts (each is retried)", upload.Failed);
                Gauge(text, "homesec_uploads_consecutive_failures", "failed upload attempts since the last stored clip", upload.ConsecutiveFailures);
            }

            Gauge(text, "homesec_state_store_online", "1 when events go straight to the database", status.Store.Mode == "online" ? 1 : 0);
            Gauge(text, "homesec_state_store_spooled_events", "events waiting on local disk for the database", status.Store.Spooled);
            Counter(text, "homesec_state_store_dropped_events_total", "events lost because the spool was full", status.Store.Dropped);
            if (status.Inference.Enabled)
            {
                Counter(text, "homesec_inference_batches_total", "model runs", status.Inference.Batches);
                Counter(text, "homesec_inference_frames_total", "frames run through the model", status.Inference.Frames);
                Gauge(text, "homesec_inference_last_batch_milliseconds", "duration of the last model run", status.Inference.LastBatchMs);
            }

            return Results.Text(text.ToString(), "text/plain; version=0.0.4");
        });
        return endpoints;
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    private static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "gauge", help);
        text.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }

    private static void Counter(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "counter", help);
        text.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }
}
