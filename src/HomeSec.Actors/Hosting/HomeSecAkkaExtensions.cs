using Akka.Event;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using HomeSec.Actors.Clips;
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

    public static AkkaConfigurationBuilder AddHomeSec(this AkkaConfigurationBuilder builder, HomeSecSettings settings) =>
        builder
            .AddHocon(HomeSecConfig(), HoconAddMode.Prepend)
            .AddSetup(new HomeSecMetricsSetup(settings.Metrics))
            .WithActors((system, registry) =>
            {
                var root = system.ActorOf(HomeSecRoot.Props(settings), "homesec");
                registry.Register<HomeSecRoot>(root);
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "drain-clips", () => DrainAsync(root, settings.DrainTimeout));
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "stop-cameras", () => StopCamerasAsync(system, settings));
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "close-notifiers", () => CloseNotifiersAsync(settings));
            });

    /// <summary>
    /// Stops every camera source and waits for it to end, so each ffmpeg it started is killed and reaped
    /// before the process exits (the phase timeout in hocon/homesec.conf bounds the wait).
    /// </summary>
    private static async Task<Done> StopCamerasAsync(ActorSystem system, HomeSecSettings settings)
    {
        if (!await settings.RunningSources.StopAllAsync(TimeSpan.FromSeconds(8)))
        {
            system.Log.Warning("{0} camera source(s) did not stop within 8 s", settings.RunningSources.Count);
        }

        return Done.Instance;
    }

    /// <summary>Lets notifiers say goodbye (the mqtt notifier publishes <c>offline</c>) once no clip needs them.</summary>
    private static async Task<Done> CloseNotifiersAsync(HomeSecSettings settings)
    {
        foreach (var notifier in settings.Workers.Notify.Notifiers.Select(n => n.Notifier).OfType<IAsyncDisposable>())
        {
            await notifier.DisposeAsync();
        }

        return Done.Instance;
    }

    /// <summary>Lets the clips in flight finish (bounded), so a restart has less to resume.</summary>
    private static async Task<Done> DrainAsync(IActorRef root, TimeSpan timeout)
    {
        try
        {
            await root.Ask<ClipProtocol.Drained>(ClipProtocol.DrainClips.Instance, timeout);
        }
        catch (AskTimeoutException)
        {
            // The unfinished clips are still pending on disk and are resumed at the next start.
        }

        return Done.Instance;
    }

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
