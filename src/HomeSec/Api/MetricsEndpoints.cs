using Akka.Hosting;
using HomeSec.Actors;
using HomeSec.Actors.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace HomeSec.Api;

/// <summary>
/// <c>GET /metrics</c> (prometheus-net): HomeSec's metrics (<see cref="HomeSecMetrics"/>) with the process and .NET
/// runtime metrics. Counters and histograms are recorded by the actors as things happen; the gauges are set from
/// what the actor tree reports, asked once per scrape.
/// </summary>
public static class MetricsEndpoints
{
    public static WebApplication MapMetricsEndpoints(this WebApplication app, HomeSecMetrics metrics)
    {
        var root = app.Services.GetRequiredService<IRequiredActor<HomeSecRoot>>();
        metrics.Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            if (await DaemonStatus.QueryAsync(await root.GetAsync(cancellationToken), cancellationToken) is not { } status)
            {
                // The scrape still answers (process metrics, counters), and says the daemon is not up.
                metrics.UpObserved(false);
                return;
            }

            metrics.UpObserved(status.Healthy);
            metrics.CamerasObserved(status.Cameras);
            metrics.ClipsObserved(status.Clips);
            metrics.StoreObserved(status.Store);
            metrics.StagesObserved(status.Stages);
            metrics.OutboxesObserved(status.Outboxes);
            metrics.RetentionObserved(status.Retention);
        });
        app.MapMetrics("/metrics", metrics.Registry).RequireAuthorization(HomeSec.Web.Auth.WebAuth.HealthPolicy);
        return app;
    }
}
