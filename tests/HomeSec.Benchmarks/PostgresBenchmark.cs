using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Clips;
using HomeSec.Core.Config;
using Npgsql;

namespace HomeSec.Benchmarks;

/// <summary>
/// Events persisted per second through the ClipRepository on PostgreSQL, beside the rate of inserting
/// the same serialized payloads with plain Npgsql batches into a table shaped like the journal.
/// </summary>
public static class PostgresBenchmark
{
    private const int EventsPerClip = 9;

    /// <returns>Events/s through the repository with its live projection (as the daemon runs it), through its
    /// write path alone (projection off), and with plain Npgsql batches.</returns>
    public static async Task<(double WithProjection, double WritesAlone, double Raw)> RunAsync(StateStoreConfig store, int clips)
    {
        await ClipStore.For(store).EnsureSchemaAsync(CancellationToken.None);
        var withProjection = await RepositoryEventsPerSecondAsync(store, MakeEvents(clips), runProjection: true);
        var writesAlone = await RepositoryEventsPerSecondAsync(store, MakeEvents(clips), runProjection: false);
        var events = MakeEvents(clips);
        var rawSeconds = await InsertRawAsync(store.PostgresConnectionString!, events);
        return (withProjection, writesAlone, events.Count / rawSeconds);
    }

    private static async Task<double> RepositoryEventsPerSecondAsync(StateStoreConfig store, IReadOnlyList<IClipEvent> events, bool runProjection)
    {
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(HomeSecAkkaExtensions.PostgresJournalConfig(store.PostgresConnectionString!))
            .WithFallback(HomeSecAkkaExtensions.HomeSecConfig());
        var before = await PipelineBenchmark.CountJournalRowsAsync(store);
        double repositorySeconds;
        using (var system = ActorSystem.Create("bench-repository", config))
        {
            var repository = system.ActorOf(ClipRepository.Props(new RepositorySettings(ClipStore.For(store), store.SpoolPath, 1_000_000) { RunProjection = runProjection }));
            // Measure steady state: until its first database check the repository spools what it gets.
            while ((await repository.Ask<RepositoryProtocol.StoreHealth>(RepositoryProtocol.GetStoreHealth.Instance, TimeSpan.FromSeconds(5))).Mode != "online")
            {
                await Task.Delay(10);
            }

            var stopwatch = Stopwatch.StartNew();
            foreach (var evt in events)
            {
                repository.Tell(evt);
            }

            while (await PipelineBenchmark.CountJournalRowsAsync(store) < before + events.Count)
            {
                await Task.Delay(10);
            }

            repositorySeconds = stopwatch.Elapsed.TotalSeconds;
            await system.Terminate();
        }

        return events.Count / repositorySeconds;
    }

    /// <summary>The same rows as the journal gets (payload, manifest, ids), inserted 500 per round trip.</summary>
    private static async Task<double> InsertRawAsync(string connectionString, IReadOnlyList<IClipEvent> events)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("DROP TABLE IF EXISTS journal_raw; CREATE TABLE journal_raw (LIKE journal INCLUDING ALL)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var stopwatch = Stopwatch.StartNew();
        var sequence = new Dictionary<ClipId, long>();
        foreach (var chunk in events.Chunk(500))
        {
            await using var batch = new NpgsqlBatch(connection);
            foreach (var evt in chunk)
            {
                var seq = sequence[evt.ClipId] = sequence.GetValueOrDefault(evt.ClipId) + 1;
                var command = new NpgsqlBatchCommand(
                    "INSERT INTO journal_raw (created, deleted, persistence_id, sequence_number, message, tags, manifest, identifier, writer_uuid) VALUES ($1, false, $2, $3, $4, ';clip;', $5, $6, $7)");
                command.Parameters.Add(new NpgsqlParameter { Value = DateTime.UtcNow.Ticks });
                command.Parameters.Add(new NpgsqlParameter { Value = $"clip-{evt.ClipId}" });
                command.Parameters.Add(new NpgsqlParameter { Value = seq });
                command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.SerializeToUtf8Bytes(evt, evt.GetType(), ClipEventSerializer.JsonOptions) });
                command.Parameters.Add(new NpgsqlParameter { Value = ClipEvents.WireNames[evt.GetType()] });
                command.Parameters.Add(new NpgsqlParameter { Value = ClipEventSerializer.SerializerId });
                command.Parameters.Add(new NpgsqlParameter { Value = "raw" });
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync();
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        await using (var drop = new NpgsqlCommand("DROP TABLE journal_raw", connection))
        {
            await drop.ExecuteNonQueryAsync();
        }

        return seconds;
    }

    private static List<IClipEvent> MakeEvents(int clips)
    {
        var events = new List<IClipEvent>(clips * EventsPerClip);
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i < clips; i++)
        {
            var at = start.AddSeconds(i);
            var id = ClipId.For($"bench{Guid.NewGuid():N}"[..12], at);
            events.Add(new ClipEvents.ClipRecorded(id, at, "bench", $"/bench/{i}.mp4", at, at, 1));
            events.Add(new ClipEvents.UploadStarted(id, at, "instant", 1));
            events.Add(new ClipEvents.FilterStarted(id, at, "none", 1));
            events.Add(new ClipEvents.FilterCompleted(id, at, HomeSec.Core.Alerts.FilterResult.NoDetector));
            events.Add(new ClipEvents.VlmSkipped(id, at, "no detector configured (filter: none)"));
            events.Add(new ClipEvents.AlertDecisionMade(id, at, new HomeSec.Core.Alerts.AlertDecision(true, "motion")));
            events.Add(new ClipEvents.UploadCompleted(id, at, "instant", "bench://x", "https://example.invalid/x"));
            events.Add(new ClipEvents.NotificationSent(id, at, "count"));
            events.Add(new ClipEvents.ClipCompleted(id, at, HadErrors: false));
        }

        return events;
    }
}
