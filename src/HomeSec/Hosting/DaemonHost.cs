using Akka.Actor;
using Akka.Hosting;
using HomeSec.Actors;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Metrics;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Api;
using HomeSec.Core.Config;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins;
using HomeSec.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HomeSec.Hosting;

/// <summary>Builds the daemon: logging, the actor system (Akka.Hosting), the HTTP API and its health checks and metrics.</summary>
public static class DaemonHost
{
    private static readonly TimeSpan RootAnswerTimeout = TimeSpan.FromSeconds(5);

    /// <param name="configFile">Where the config came from (the System page shows it, secrets masked).</param>
    public static WebApplication Build(AppConfig config, PluginRegistries registries, string? configFile = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var gate = HomeSecSettings.GateFor(config); // shared by the clips' alert decisions, the HTTP API and the mqtt notifier
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // "No XML encryptor configured": the session keys' folder is 0700 instead (see WebAuth); said once here, not at every start.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        // Under systemd (Type=notify) it reports READY once the daemon listens and STOPPING on SIGTERM, and logs
        // in journald's format; anywhere else it does nothing.
        builder.Services.AddSystemd();

        if (config.Health.Enabled)
        {
            builder.WebHost.UseUrls($"http://{config.Health.Host}:{config.Health.Port}");
        }
        else
        {
            builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer, NoHttpServer>();
        }

        // prometheus-net's default registry also carries the process and .NET runtime metrics.
        var metrics = new HomeSecMetrics(Prometheus.Metrics.DefaultRegistry);
        var web = new WebContext(config, configFile is null ? null : Path.GetFullPath(configFile), ClipStore.For(config.StateStore), new LiveFrames());
        builder.Services.AddHomeSecWeb(web);
        builder.Services.AddSingleton(gate);
        builder.Services.AddHealthChecks();
        builder.Services.AddAkka(HomeSecAkkaExtensions.ActorSystemName, (akka, services) =>
        {
            var loggerFactory = services.GetRequiredService<ILoggerFactory>();
            var settings = HomeSecSettings.FromConfig(config, registries, loggerFactory, TimeProvider.System, gate, web.LiveFrames) with { Metrics = metrics };
            web.Storage = settings.Workers.Storage.Plugin;
            akka.AddMicrosoftLogging(loggerFactory)
                .AddHocon(config.StateStore.Backend switch
                {
                    StateStoreBackend.Postgres => HomeSecAkkaExtensions.PostgresJournalConfig(config.StateStore.PostgresConnectionString!),
                    _ => HomeSecAkkaExtensions.SqliteJournalConfig(config.StateStore.SqlitePath),
                }, HoconAddMode.Prepend)
                .WithActorSystemLivenessCheck(tags: [HealthEndpoints.LiveTag])
                .WithHealthCheck("homesec-root", RootAnswersAsync, tags: [HealthEndpoints.LiveTag], timeout: RootAnswerTimeout)
                .AddHomeSec(settings);
        });

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HomeSec");
            foreach (var line in StartupBanner.Lines(config))
            {
                log.LogInformation("{BannerLine}", line);
            }
        });
        app.UseHomeSecWeb();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoints(metrics);
        app.MapClipsEndpoints(web.Store);
        app.MapModeEndpoints(gate);
        return app;
    }

    /// <summary>Live: the root of the actor tree still takes messages (a wedged dispatcher or a stopped root is not alive).</summary>
    private static async Task<HealthCheckResult> RootAnswersAsync(ActorSystem system, ActorRegistry registry, CancellationToken cancellationToken)
    {
        if (!registry.TryGet<HomeSecRoot>(out var root))
        {
            return HealthCheckResult.Unhealthy("the actor tree has not started");
        }

        try
        {
            var identity = await root.Ask<ActorIdentity>(new Identify(null), RootAnswerTimeout, cancellationToken);
            return identity.Subject is null ? HealthCheckResult.Unhealthy("the root actor has stopped") : HealthCheckResult.Healthy();
        }
        catch (AskTimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the root actor did not answer within {RootAnswerTimeout.TotalSeconds:0} s");
        }
    }
}
