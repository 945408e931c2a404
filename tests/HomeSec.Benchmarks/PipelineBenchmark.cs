using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Akka.Hosting;
using Akka.Configuration;
using HomeSec.Actors.Cameras;
using HomeSec.Actors.Clips;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Actors.Workers;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Clips.Workflow;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Default;
using HomeSec.Core.Plugins.Filters.None;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HomeSec.Benchmarks;

/// <summary>
/// Pushes N clips through the whole actor tree (camera → coordinator → supervisors → worker pools →
/// notify, every event to the repository) with instant plugins, and measures clip throughput and
/// latency. Runs once on the in-memory journal (the baseline: the pipeline alone) and once on the
/// SQLite journal, and reports how long the journal takes to hold every event.
/// </summary>
public static class PipelineBenchmark
{
    private const int EventsPerClip = 9;

    /// <param name="store">The journal to use; null for the in-memory journal (the baseline).</param>
    public static async Task<Figures> RunAsync(int clips, int maxInFlight, StateStoreConfig? store, string spoolFolder)
    {
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING");
        config = store?.Backend switch
        {
            null => config,
            StateStoreBackend.Postgres => config.WithFallback(HomeSecAkkaExtensions.PostgresJournalConfig(store.PostgresConnectionString!)),
            _ => config.WithFallback(HomeSecAkkaExtensions.SqliteJournalConfig(store.SqlitePath)),
        };
        var clipStore = store is null ? null : ClipStore.For(store);
        if (clipStore is not null)
        {
            await clipStore.EnsureSchemaAsync(CancellationToken.None);
        }

        var journalRowsBefore = store is null ? 0 : await CountJournalRowsAsync(store);

        var source = new InstantSource(clips);
        var workers = new WorkerPoolSettings(
            new StorageStageSettings(new InstantStorage(), "instant", TimeSpan.FromSeconds(30), 2),
            new FilterStageSettings(new NoFilter(), "none", TimeSpan.FromSeconds(30), 2),
            null,
            new NotifyStageSettings([new NamedNotifier("count", new CountingNotifier(), TimeSpan.FromSeconds(30))], TimeSpan.FromSeconds(30), 2));
        var rules = new WorkflowRules("instant", "none", null, ["count"], ["person"],
            new DefaultAlertPolicy(new DefaultAlertPolicyOptions(RiskLevel.Medium, [], NotifyOnMotion: true)),
            new RetryConfig(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), new HashSet<string>(StringComparer.Ordinal),
            ClipSettings.StageDeadlineFor(workers));
        var settings = new HomeSecSettings(
            new RepositorySettings(clipStore, spoolFolder, 1_000_000) { RunProjection = Environment.GetEnvironmentVariable("BENCH_NO_PROJECTION") is null },
            InferenceSettings.Off,
            workers,
            new ClipSettings(rules, maxInFlight, TimeProvider.System),
            new CameraSettings([new CameraSource("bench", () => source)]));

        // The same hosting extensions as the daemon; the benchmark's own settings (quieter logs, the journal) win.
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("bench", akka => akka.AddHomeSec(settings).AddHocon(config, HoconAddMode.Prepend));
        using var host = builder.Build();
        var stopwatch = Stopwatch.StartNew();
        await host.StartAsync();
        await source.AllProcessed.WaitAsync(TimeSpan.FromMinutes(10));
        var pipelineSeconds = stopwatch.Elapsed.TotalSeconds;

        double? journalSeconds = null;
        if (store is not null)
        {
            var expectedRows = journalRowsBefore + ((long)clips * EventsPerClip);
            while (await CountJournalRowsAsync(store) < expectedRows)
            {
                if (stopwatch.Elapsed > TimeSpan.FromMinutes(10))
                {
                    throw new TimeoutException($"journal holds {await CountJournalRowsAsync(store) - journalRowsBefore} of {expectedRows - journalRowsBefore} events after 10 minutes");
                }

                await Task.Delay(20);
            }

            journalSeconds = stopwatch.Elapsed.TotalSeconds;
        }

        await host.StopAsync();
        var latencies = source.LatenciesMs.Order().ToArray();
        return new Figures(clips, pipelineSeconds, journalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static async Task<long> CountJournalRowsAsync(StateStoreConfig store)
    {
        await using System.Data.Common.DbConnection connection = store.Backend == StateStoreBackend.Postgres
            ? new Npgsql.NpgsqlConnection(store.PostgresConnectionString)
            : new SqliteConnection($"Data Source={store.SqlitePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM journal";
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (System.Data.Common.DbException)
        {
            return 0; // the journal table is not created yet
        }
    }

    public sealed record Figures(int Clips, double PipelineSeconds, double? JournalSeconds, double P50Ms, double P99Ms)
    {
        public double ClipsPerSecond => Clips / PipelineSeconds;

        public double? PersistedClipsPerSecond => JournalSeconds is { } s ? Clips / s : null;
    }

    /// <summary>Hands over N clips at once and records when each is reported processed.</summary>
    private sealed class InstantSource(int count) : IClipSource
    {
        private readonly ConcurrentDictionary<ClipId, long> _handedOverAt = new();
        private readonly ConcurrentBag<double> _latenciesMs = [];
        private readonly TaskCompletionSource _allProcessed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task AllProcessed => _allProcessed.Task;

        public IReadOnlyCollection<double> LatenciesMs => _latenciesMs;

        public SourceHealth Health => new(true, DateTimeOffset.UtcNow, "benchmark");

        public async IAsyncEnumerable<RecordedClip> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < count; i++)
            {
                var at = start.AddSeconds(i);
                var clip = new RecordedClip(ClipId.For("bench", at), "bench", $"/bench/{i}.mp4", at, at, 1, Resumed: false);
                _handedOverAt[clip.ClipId] = Stopwatch.GetTimestamp();
                yield return clip;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public Task MarkProcessedAsync(ClipId clipId, CancellationToken cancellationToken)
        {
            _latenciesMs.Add(Stopwatch.GetElapsedTime(_handedOverAt[clipId]).TotalMilliseconds);
            if (_latenciesMs.Count == count)
            {
                _allProcessed.TrySetResult();
            }

            return Task.CompletedTask;
        }
    }

    private sealed class InstantStorage : IStorageBackend
    {
        public Task<StoredObject> PutFileAsync(string localPath, string key, CancellationToken cancellationToken) =>
            Task.FromResult(new StoredObject($"bench://{key}", $"https://example.invalid/{key}"));

        public Task<StoredObject> PutJsonAsync(string key, string json, CancellationToken cancellationToken) => PutFileAsync("", key, cancellationToken);

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) => Task.FromResult<Stream>(new MemoryStream());

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class CountingNotifier : INotifier
    {
        private int _sent;

        public Task SendAsync(Alert alert, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sent);
            return Task.CompletedTask;
        }
    }
}
