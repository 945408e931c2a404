using Akka.Hosting;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Api;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HomeSec.Hosting;

/// <summary>Builds the daemon: logging, the actor system (Akka.Hosting) and the HTTP API.</summary>
public static class DaemonHost
{
    public static WebApplication Build(AppConfig config, PluginRegistries registries)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        if (config.Health.Enabled)
        {
            builder.WebHost.UseUrls($"http://{config.Health.Host}:{config.Health.Port}");
        }
        else
        {
            builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer, NoHttpServer>();
        }

        builder.Services.AddAkka(HomeSecAkkaExtensions.ActorSystemName, (akka, services) =>
        {
            var settings = HomeSecSettings.FromConfig(config, registries, services.GetRequiredService<ILoggerFactory>(), TimeProvider.System);
            akka.ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .AddHocon(config.StateStore.Backend switch
                {
                    StateStoreBackend.Postgres => HomeSecAkkaExtensions.PostgresJournalConfig(config.StateStore.PostgresConnectionString!),
                    _ => HomeSecAkkaExtensions.SqliteJournalConfig(config.StateStore.SqlitePath),
                }, HoconAddMode.Prepend)
                .AddHomeSec(settings);
        });

        var app = builder.Build();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoints();
        app.MapClipsEndpoints(ClipStore.For(config.StateStore));
        return app;
    }
}
