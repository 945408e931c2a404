using Akka;
using Akka.Actor;
using Akka.Configuration;
using HomeSec.Actors.Clips;
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
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString();
        var quoted = "\"" + connectionString.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        return ConfigurationFactory.ParseString(
                $"""
                akka.persistence.journal.sql.connection-string = {quoted}
                akka.persistence.snapshot-store.sql.connection-string = {quoted}
                akka.persistence.query.journal.sql.connection-string = {quoted}
                """)
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(HoconPath("persistence.sqlite.conf"))))
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    public static AkkaConfigurationBuilder AddHomeSec(this AkkaConfigurationBuilder builder, HomeSecSettings settings) =>
        builder
            .AddHocon(HomeSecConfig(), HoconAddMode.Prepend)
            .WithActors((system, registry) =>
            {
                var root = system.ActorOf(HomeSecRoot.Props(settings), "homesec");
                registry.Register<HomeSecRoot>(root);
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "drain-clips", () => DrainAsync(root, settings.DrainTimeout));
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "close-notifiers", () => CloseNotifiersAsync(settings));
            });

    /// <summary>Lets notifiers say goodbye (the mqtt notifier publishes <c>offline</c>) once no clip needs them.</summary>
    private static async Task<Done> CloseNotifiersAsync(HomeSecSettings settings)
    {
        foreach (var notifier in settings.Workers.Notifiers.Select(n => n.Notifier).OfType<IAsyncDisposable>())
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

    /// <summary>The embedded journal: one SQLite file, in WAL mode so queries never block the writer.</summary>
    public static AkkaConfigurationBuilder AddSqliteJournal(this AkkaConfigurationBuilder builder, string databasePath) =>
        builder.AddHocon(SqliteJournalConfig(databasePath), HoconAddMode.Prepend);

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
