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
        var logTail = new LogTail(); // homesec logs -f
        builder.Logging.AddProvider(logTail);
        builder.Services.AddSingleton(logTail);
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
        builder.Services.AddSingleton<ClusterExit>();
        builder.Services.AddAkka(HomeSecAkkaExtensions.ActorSystemName, (akka, services) =>
        {
            var loggerFactory = services.GetRequiredService<ILoggerFactory>();
            akka.AddMicrosoftLogging(loggerFactory)
                .WithActorSystemLivenessCheck(tags: [HealthEndpoints.LiveTag])
                .WithHealthCheck("homesec-root", RootAnswersAsync, tags: [HealthEndpoints.LiveTag], timeout: RootAnswerTimeout)
                .AddHomeSecCluster(config.Cluster);
            if (!config.Cluster.RunsNvr)
            {
                // An inference-only node: no plugin but the model is built, no journal is opened.
                akka.AddHomeSecInferenceNode(HomeSec.Actors.Inference.InferenceSettings.For(config.Filter, config.Cluster), metrics);
                return;
            }

            var settings = HomeSecSettings.FromConfig(config, registries, loggerFactory, TimeProvider.System, gate, web.LiveFrames) with { Metrics = metrics };
            web.Storage = settings.Workers.Storage.Plugin;
            akka.AddHocon(config.StateStore.Backend switch
                {
                    StateStoreBackend.Postgres => HomeSecAkkaExtensions.PostgresJournalConfig(config.StateStore.PostgresConnectionString!),
                    _ => HomeSecAkkaExtensions.SqliteJournalConfig(config.StateStore.SqlitePath),
                }, HoconAddMode.Prepend)
                .AddHomeSec(settings);
        });

        var app = builder.Build();
        if (config.Cluster.Enabled)
        {
            ExitWhenDowned(app);
            if (!config.Cluster.RunsNvr && config.Cluster.JoinTimeout > TimeSpan.Zero)
            {
                ExitWhenNotJoined(app, config.Cluster);
            }
        }

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
        app.MapClusterEndpoints();
        app.MapInferenceEndpoints();
        app.MapActorsEndpoints();
        app.MapLogsEndpoints();
        app.MapMetricsEndpoints(metrics);
        app.MapClipsEndpoints(web.Store);
        app.MapModeEndpoints(gate);
        return app;
    }

    /// <summary>
    /// A node the cluster downed (a GPU box cut off from the NVR) has a terminated actor system it can never rejoin with:
    /// the daemon stops with exit code <see cref="ClusterExit.ExitCode"/>, so that its container or systemd unit starts it afresh and it joins again.
    /// </summary>
    private static void ExitWhenDowned(WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var system = app.Services.GetRequiredService<ActorSystem>();
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberRemoved(() =>
            {
                if (!app.Lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    StopToStartAfresh(app, log => log.LogError(
                        "this node was removed from the cluster (downed by the split-brain resolver, or told to leave); exiting so that it is restarted and joins again"));
                }
            });
        });
    }

    /// <summary>
    /// A GPU box that is not a member within <c>cluster.join_timeout_s</c> exits with <see cref="ClusterExit.ExitCode"/>
    /// and is started afresh by its container or systemd unit. Why not wait for ever: Akka's classic remoting can leave a
    /// node restarted at its old address with an association that carries the NVR's answers to nowhere (the NVR keeps
    /// answering InitJoin, the node never reads the answer; seen once in a CI run over a veth pair with TLS); a new
    /// process has new associations. The same exit covers a seed that is down, or one that refuses this node's certificate.
    /// </summary>
    private static void ExitWhenNotJoined(WebApplication app, ClusterConfig cluster)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var system = app.Services.GetRequiredService<ActorSystem>();
            var joined = new CancellationTokenSource();
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(joined.Cancel);
            _ = Task.Delay(cluster.JoinTimeout, joined.Token).ContinueWith(waited =>
            {
                if (waited.IsCanceled || app.Lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    return;
                }

                StopToStartAfresh(app, log => log.LogError(
                    "this node has not joined the cluster within {JoinTimeout} s (cluster.join_timeout_s; seeds {Seeds}); exiting with code {ExitCode} so that it is started afresh and tries again",
                    cluster.JoinTimeout.TotalSeconds, string.Join(", ", cluster.SeedNodes), ClusterExit.ExitCode));
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        });
    }

    /// <summary>Says why, then stops the daemon so that <c>run</c> exits with <see cref="ClusterExit.ExitCode"/>.</summary>
    private static void StopToStartAfresh(WebApplication app, Action<ILogger> sayWhy)
    {
        sayWhy(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HomeSec"));
        app.Services.GetRequiredService<ClusterExit>().StartAfresh = true;
        app.Lifetime.StopApplication();
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

/// <summary>
/// Whether the daemon stopped so that it is started afresh (the cluster removed this node, or it did not join in time);
/// then <c>run</c> exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class ClusterExit
{
    /// <summary>EX_TEMPFAIL: try again (a restart joins the cluster afresh).</summary>
    public const int ExitCode = 75;

    public bool StartAfresh { get; set; }
}
