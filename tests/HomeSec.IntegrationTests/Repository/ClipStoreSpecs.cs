using Akka.Actor;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Config;
using HomeSec.IntegrationTests.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;
using static HomeSec.Actors.Repository.RepositoryProtocol;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.IntegrationTests.Repository;

/// <summary>The same repository and projection behaviour on both state stores: SQLite and a real PostgreSQL.</summary>
public sealed class ClipStoreSpecs(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"homesec-store-{Guid.NewGuid():N}");

    public static TheoryData<string> Backends => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Should_recover_a_clips_events_when_a_new_actor_system_reads_the_store(string backend)
    {
        // Given
        var stateStore = await StateStoreAsync(backend);
        var clipId = ClipId.For("garden", DateTimeOffset.UtcNow);
        var events = EventsOf(clipId);
        using (var writer = ActorSystem.Create("writer", Config(stateStore)))
        {
            var repository = writer.ActorOf(ClipRepository.Props(Settings(stateStore)));

            // When
            foreach (var evt in events)
            {
                repository.Tell(evt);
            }

            await Eventually.WaitForAsync(async () => (await ClipStore.For(stateStore).ShowAsync(clipId.Value, CancellationToken.None)).Events.Count == events.Length ? "stored" : null,
                Patience, "the events to be projected");
        }

        using var reader = ActorSystem.Create("reader", Config(stateStore));
        var history = await reader.ActorOf(ClipRepository.Props(Settings(stateStore)))
            .Ask<ClipHistory>(new LoadClipHistory(clipId), Patience);

        // Then
        Assert.NotNull(history.State);
        Assert.Equal(ClipStatus.Done, history.State.Status);
        Assert.Equal("local://garden/x.mp4", history.State.StorageUri);
        Assert.Equal(RiskLevel.High, history.State.Analysis?.RiskLevel);
        Assert.Contains("log", history.State.NotifiedBy);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Should_project_one_row_per_event_and_the_folded_state_when_events_are_written(string backend)
    {
        // Given
        var stateStore = await StateStoreAsync(backend);
        var clipId = ClipId.For("porch", DateTimeOffset.UtcNow);
        var events = EventsOf(clipId);
        using var system = ActorSystem.Create("projection", Config(stateStore));
        var repository = system.ActorOf(ClipRepository.Props(Settings(stateStore)));
        var store = ClipStore.For(stateStore);

        // When
        foreach (var evt in events)
        {
            repository.Tell(evt);
        }

        var (clip, rows) = await Eventually.WaitForAsync(async () =>
        {
            var shown = await store.ShowAsync(clipId.Value, CancellationToken.None);
            return shown.Events.Count == events.Length ? new Shown(shown.Clip, shown.Events) : null;
        }, Patience, "the projection of all events");

        // Then
        Assert.Equal(events.Select(e => ClipEvents.WireNames[e.GetType()]), rows.Select(r => r.EventType));
        Assert.Equal(Enumerable.Range(1, events.Length).Select(i => (long)i), rows.Select(r => r.SequenceNr));
        Assert.NotNull(clip);
        Assert.Equal(ClipState.Replay(clipId, events).Status, clip.State.Status);
        Assert.Contains("\"status\":\"done\"", clip.Json.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var listed = await store.ListAsync(camera: "porch", status: "done", since: DateTimeOffset.UtcNow.AddHours(-1), limit: 10, CancellationToken.None);
        Assert.Contains(listed, c => c.State.ClipId == clipId);
        Assert.DoesNotContain(await store.ListAsync(camera: "porch", status: "error", since: null, limit: 10, CancellationToken.None), c => c.State.ClipId == clipId);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Should_change_nothing_when_the_same_events_are_applied_again(string backend)
    {
        // Given
        var stateStore = await StateStoreAsync(backend);
        var store = ClipStore.For(stateStore);
        await store.EnsureSchemaAsync(CancellationToken.None);
        var clipId = ClipId.For("drive", DateTimeOffset.UtcNow);
        var batch = EventsOf(clipId).Select((e, i) => new JournalEvent(1000 + i, i + 1, e)).ToList();
        await store.ApplyAsync(batch, CancellationToken.None);
        var before = await store.ShowAsync(clipId.Value, CancellationToken.None);

        // When
        await store.ApplyAsync(batch, CancellationToken.None);
        await store.ApplyAsync(batch.Skip(3).ToList(), CancellationToken.None);

        // Then
        var after = await store.ShowAsync(clipId.Value, CancellationToken.None);
        Assert.Equal(before.Clip?.Json, after.Clip?.Json);
        Assert.Equal(before.Events.Select(e => (e.SequenceNr, e.EventType)), after.Events.Select(e => (e.SequenceNr, e.EventType)));
        Assert.Equal(batch.Max(e => e.Ordering), await store.LoadOffsetAsync(CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Should_fold_the_clip_in_sequence_order_when_an_event_arrives_after_a_later_one(string backend)
    {
        // Given
        var stateStore = await StateStoreAsync(backend);
        var store = ClipStore.For(stateStore);
        var clipId = ClipId.For("yard", DateTimeOffset.UtcNow);
        var events = EventsOf(clipId).Select((e, i) => new JournalEvent(2000 + i, i + 1, e)).ToList();
        var completed = events[^1];

        // When
        await store.ApplyAsync([.. events.Take(3), completed], CancellationToken.None);
        await store.ApplyAsync(events.Skip(3).SkipLast(1).ToList(), CancellationToken.None);

        // Then
        var (clip, rows) = await store.ShowAsync(clipId.Value, CancellationToken.None);
        Assert.Equal(events.Select(e => e.SequenceNr), rows.Select(r => r.SequenceNr));
        Assert.NotNull(clip);
        Assert.Equal(ClipStatus.Done, clip.State.Status);
        Assert.Equal("local://garden/x.mp4", clip.State.StorageUri);
        Assert.Equal(RiskLevel.High, clip.State.Analysis?.RiskLevel);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Npgsql.NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Should_create_the_schema_once_without_an_error_when_several_processes_race_on_an_empty_postgres()
    {
        // Given
        var database = "race" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new Npgsql.NpgsqlConnection(postgres.Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var connectionString = postgres.Server.ConnectionString.Replace("Database=homesec", $"Database={database}", StringComparison.Ordinal);
        var stores = Enumerable.Range(0, 6)
            .Select(_ => ClipStore.For(new StateStoreConfig(StateStoreBackend.Postgres, "", connectionString, Path.Combine(_folder, "state"), 10)))
            .ToList();

        // When
        var outcomes = await Task.WhenAll(stores.Select(async store =>
        {
            try
            {
                await store.EnsureSchemaAsync(CancellationToken.None);
                return null;
            }
            catch (Npgsql.PostgresException ex)
            {
                return ex.SqlState + " " + ex.MessageText;
            }
        }));

        // Then
        Assert.All(outcomes, Assert.Null);
        Assert.Equal(0, await stores[0].LoadOffsetAsync(CancellationToken.None));
    }

    /// <summary>A fresh store with its tables (the repository creates them too; the test reads them before it might).</summary>
    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Should_filter_page_by_cursor_mark_reviewed_and_feed_changes_when_the_web_ui_reads_the_review_list(string backend)
    {
        // Given seven clips a minute apart: odd ones a high-risk person that alerted, even ones a low-risk car
        var store = ClipStore.For(await StateStoreAsync(backend));
        var start = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var ordering = 5000L;
        var ids = new List<ClipId>();
        for (var i = 0; i < 7; i++)
        {
            var at = start.AddMinutes(i);
            var id = ClipId.For(i < 5 ? "porch" : "garden", at);
            ids.Add(id);
            var person = i % 2 == 1;
            IClipEvent[] events =
            [
                new ClipRecorded(id, at, id.Value.Split('-')[0], $"/clips/{i}.mp4", at, at.AddSeconds(10), 42),
                new FilterCompleted(id, at, new FilterResult([person ? "person" : "car"], 0.9, 4, "test")),
                new VlmCompleted(id, at, new AnalysisResult(person ? RiskLevel.High : RiskLevel.Low, "passing", "x")),
                new AlertDecisionMade(id, at, new AlertDecision(person, person ? "risk high" : "risk low")),
            ];
            await store.ApplyAsync(events.Select((e, n) => new JournalEvent(++ordering, n + 1, e)).ToList(), CancellationToken.None);
        }

        var feedStart = await store.LatestOrderingAsync(CancellationToken.None);

        // When
        var firstPage = await store.ReviewAsync(new ReviewQuery(Limit: 3), CancellationToken.None);
        var secondPage = await store.ReviewAsync(new ReviewQuery(Before: new ReviewCursor(firstPage[^1].CreatedAt, firstPage[^1].State.ClipId.Value), Limit: 3), CancellationToken.None);
        var alerted = await store.ReviewAsync(new ReviewQuery(AlertedOnly: true), CancellationToken.None);
        var people = await store.ReviewAsync(new ReviewQuery(DetectedClass: "person", Risk: "high", Camera: "porch"), CancellationToken.None);
        var cars = await store.ReviewAsync(new ReviewQuery(DetectedClass: "car"), CancellationToken.None);
        var arrived = await store.ReviewAsync(new ReviewQuery(After: start.AddMinutes(4).AddSeconds(30)), CancellationToken.None);
        await store.MarkReviewedAsync(ids[6].Value, "admin", start.AddHours(1), CancellationToken.None);
        await store.MarkReviewedAsync(ids[6].Value, "ops", start.AddHours(2), CancellationToken.None);
        var unreviewed = await store.ReviewAsync(new ReviewQuery(UnreviewedOnly: true), CancellationToken.None);
        var one = await store.ReviewAsync(new ReviewQuery(ClipId: ids[6].Value), CancellationToken.None);
        var at7 = start.AddMinutes(7);
        var late = ClipId.For("porch", at7);
        await store.ApplyAsync([new JournalEvent(++ordering, 1, new ClipRecorded(late, at7, "porch", "/clips/7.mp4", at7, at7.AddSeconds(5), 42))], CancellationToken.None);
        var (changed, next) = await store.ChangedAfterAsync(feedStart, CancellationToken.None);
        var (nothing, _) = await store.ChangedAfterAsync(next, CancellationToken.None);

        // Then
        Assert.Equal(ids.AsEnumerable().Reverse().Take(3), firstPage.Select(r => r.State.ClipId));
        Assert.Equal(ids.AsEnumerable().Reverse().Skip(3).Take(3), secondPage.Select(r => r.State.ClipId));
        Assert.Equal([ids[5], ids[3], ids[1]], alerted.Select(r => r.State.ClipId));
        Assert.Equal([ids[3], ids[1]], people.Select(r => r.State.ClipId));
        Assert.Equal([ids[6], ids[4], ids[2], ids[0]], cars.Select(r => r.State.ClipId));
        Assert.Equal([ids[6], ids[5]], arrived.Select(r => r.State.ClipId));
        Assert.DoesNotContain(unreviewed, r => r.State.ClipId == ids[6]);
        Assert.Equal(6, unreviewed.Count);
        Assert.Equal("ops", Assert.Single(one).ReviewedBy);
        Assert.Equal(late.Value, Assert.Single(changed).ClipId);
        Assert.Empty(nothing);
    }

    private async Task<StateStoreConfig> StateStoreAsync(string backend)
    {
        Directory.CreateDirectory(_folder);
        if (backend == "sqlite")
        {
            var sqlite = new StateStoreConfig(StateStoreBackend.Sqlite, Path.Combine(_folder, "homesec.db"), null, Path.Combine(_folder, "state"), 10_000);
            await ClipStore.For(sqlite).EnsureSchemaAsync(CancellationToken.None);
            return sqlite;
        }

        // A database per test, so tests do not see each other's rows.
        var database = "t" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new Npgsql.NpgsqlConnection(postgres.Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var connectionString = postgres.Server.ConnectionString.Replace("Database=homesec", $"Database={database}", StringComparison.Ordinal);
        var postgresStore = new StateStoreConfig(StateStoreBackend.Postgres, "", connectionString, Path.Combine(_folder, "state"), 10_000);
        await ClipStore.For(postgresStore).EnsureSchemaAsync(CancellationToken.None);
        return postgresStore;
    }

    private static Akka.Configuration.Config Config(StateStoreConfig stateStore) =>
        (stateStore.Backend == StateStoreBackend.Postgres
            ? HomeSecAkkaExtensions.PostgresJournalConfig(stateStore.PostgresConnectionString!)
            : HomeSecAkkaExtensions.SqliteJournalConfig(stateStore.SqlitePath))
        .WithFallback(HomeSecAkkaExtensions.HomeSecConfig());

    private static RepositorySettings Settings(StateStoreConfig stateStore) =>
        new(ClipStore.For(stateStore), stateStore.SpoolPath, stateStore.SpoolMaxEvents);

    private static IClipEvent[] EventsOf(ClipId clipId)
    {
        var at = DateTimeOffset.UtcNow;
        return
        [
            new ClipRecorded(clipId, at, clipId.Value.Split('-')[0], "/clips/x.mp4", at, at.AddSeconds(10), 42),
            new UploadStarted(clipId, at, "local", 1),
            new FilterStarted(clipId, at, "yolo", 1),
            new FilterCompleted(clipId, at, new FilterResult(["person"], 0.9, 4, "test")),
            new UploadCompleted(clipId, at, "local", "local://garden/x.mp4", "file:///x.mp4"),
            new VlmCompleted(clipId, at, new AnalysisResult(RiskLevel.High, "loitering", "Someone waits by the gate.")),
            new AlertDecisionMade(clipId, at, new AlertDecision(true, "risk high")),
            new NotificationSent(clipId, at, "log"),
            new ClipCompleted(clipId, at, HadErrors: false),
        ];
    }

    private sealed record Shown(ClipRow? Clip, IReadOnlyList<EventRow> Events)
    {
        public void Deconstruct(out ClipRow? clip, out IReadOnlyList<EventRow> events)
        {
            clip = Clip;
            events = Events;
        }
    }
}
