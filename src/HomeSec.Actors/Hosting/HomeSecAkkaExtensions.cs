using Akka.Actor;
using Akka.Configuration;
using HomeSec.Actors.Metrics;
using Akka.Hosting;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;

namespace HomeSec.Actors.Hosting;

/// <summary>Adds HomeSec's actor tree and its persistence to an Akka.Hosting builder; the daemon and the tests use the same.</summary>
public static class HomeSecAkkaExtensions
{
    public const string ActorSystemName = "homesec";

    public static string HoconPath(string fileName) => Path.Combine(AppContext.BaseDirectory, "hocon", fileName);

    /// <summary>The actor-system settings of <c>hocon/homesec.conf</c> (serializers, dispatchers).</summary>
    public static Config HomeSecConfig() => ConfigurationFactory.ParseString(File.ReadAllText(HoconPath("homesec.conf")));

    /// <summary>The SQLite journal settings for one database file, complete with the plugin's defaults.</summary>
    public static Config SqliteJournalConfig(string databasePath)
    {
        PrepareSqliteFile(databasePath);
        return JournalConfig("persistence.sqlite.conf", new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString());
    }

    /// <summary>The PostgreSQL journal settings for one connection string (a secret: never logged).</summary>
    public static Config PostgresJournalConfig(string connectionString) => JournalConfig("persistence.postgres.conf", connectionString);

    private static Config JournalConfig(string hoconFile, string connectionString)
    {
        var quoted = "\"" + connectionString.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        return ConfigurationFactory.ParseString(
                $"""
                akka.persistence.journal.sql.connection-string = {quoted}
                akka.persistence.snapshot-store.sql.connection-string = {quoted}
                akka.persistence.query.journal.sql.connection-string = {quoted}
                """)
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(HoconPath(hoconFile))))
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>The whole tree: the actor-system settings, the metrics, and each part in dependency order.</summary>
    public static AkkaConfigurationBuilder AddHomeSec(this AkkaConfigurationBuilder builder, HomeSecSettings settings) =>
        builder
            .AddHocon(HomeSecConfig(), HoconAddMode.Prepend)
            .AddHomeSecMetrics(settings.Metrics)
            .AddHomeSecRepository(settings.Repository)
            .AddHomeSecInference(settings.Inference)
            .AddHomeSecWorkers(settings.Workers)
            .AddHomeSecClips(settings.Clips)
            .AddHomeSecRetention(settings.Retention)
            .AddHomeSecCameras(settings.Cameras)
            .AddHomeSecRoot(settings.Inference);

    /// <summary>
    /// An inference-only cluster node (<c>cluster.roles: [inference]</c>): the actor-system settings, the metrics, the
    /// inference pool other nodes send frames to, and the root /health asks; no cameras, clips, workers or repository.
    /// </summary>
    public static AkkaConfigurationBuilder AddHomeSecInferenceNode(this AkkaConfigurationBuilder builder, Inference.InferenceSettings inference, Metrics.HomeSecMetrics metrics) =>
        builder
            .AddHocon(HomeSecConfig(), HoconAddMode.Prepend)
            .AddHomeSecMetrics(metrics)
            .AddHomeSecInference(inference)
            .WithActors((system, registry) =>
            {
                var pool = inference.Pool is { } settings && registry.TryGet<Inference.InferenceActor>(out var local) ? (local, settings.Options.Workers) : ((Akka.Actor.IActorRef, int)?)null;
                registry.Register<HomeSecRoot>(system.ActorOf(HomeSecRoot.Props(HomeSecParts.InferenceOnly(pool)), "homesec"));
            });

    /// <summary>Where the actors record what they do (read by every part through the actor system's setup).</summary>
    public static AkkaConfigurationBuilder AddHomeSecMetrics(this AkkaConfigurationBuilder builder, HomeSecMetrics metrics) =>
        builder.AddSetup(new HomeSecMetricsSetup(metrics));

    private static void PrepareSqliteFile(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}
