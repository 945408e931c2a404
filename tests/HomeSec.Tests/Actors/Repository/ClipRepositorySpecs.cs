using Akka.Actor;
using Akka.Configuration;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Repository;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Config;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using Microsoft.Data.Sqlite;
using Xunit;
using static HomeSec.Actors.Repository.RepositoryProtocol;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Tests.Actors.Repository;

/// <summary>The repository on the real embedded journal: Akka.Persistence.Sql on a SQLite file.</summary>
public sealed class ClipRepositorySpecs : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _databasePath;

    public ClipRepositorySpecs() : this(Path.Combine(Path.GetTempPath(), $"homesec-repo-{Guid.NewGuid():N}", "journal.db"))
    {
    }

    private ClipRepositorySpecs(string databasePath) : base(JournalConfig(databasePath), "repository-specs")
    {
        _databasePath = databasePath;
    }

    [Fact]
    public async Task Should_store_events_as_plain_json_and_give_them_back_when_a_new_actor_system_reads_the_same_file()
    {
        // Given
        var clipId = ClipId.For("garden", new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        var at = DateTimeOffset.UnixEpoch;
        var repository = Sys.ActorOf(ClipRepository.Props(Settings(_databasePath)));
        IClipEvent[] events =
        [
            new ClipRecorded(clipId, at, "garden", "/clips/a.mp4", at, at.AddSeconds(5), 42),
            new UploadCompleted(clipId, at.AddSeconds(1), "local", "local://garden/a.mp4", "file:///a.mp4"),
            new VlmCompleted(clipId, at.AddSeconds(2), new AnalysisResult(RiskLevel.Critical, "break_in_attempt", "Someone forces the gate.")),
        ];

        // When
        foreach (var evt in events)
        {
            repository.Tell(evt);
        }

        AwaitCondition(() => JournalRows(clipId).Count == events.Length, TimeSpan.FromSeconds(15));
        using var second = ActorSystem.Create("repository-specs-2", JournalConfig(_databasePath));
        var reader = second.ActorOf(ClipRepository.Props(Settings(_databasePath)));
        var history = await reader.Ask<ClipHistory>(new LoadClipHistory(clipId), TimeSpan.FromSeconds(15));

        // Then
        var rows = JournalRows(clipId);
        Assert.Equal(["clip_recorded", "upload_completed", "vlm_completed"], rows.Select(r => r.Manifest));
        Assert.DoesNotContain("$type", rows[2].Json, StringComparison.Ordinal);
        Assert.Contains("\"risk_level\":\"critical\"", rows[2].Json, StringComparison.Ordinal);
        Assert.NotNull(history.State);
        Assert.Equal("local://garden/a.mp4", history.State.StorageUri);
        Assert.Equal(ClipStatus.Analyzed, history.State.Status);
        Assert.Equal(RiskLevel.Critical, history.State.Analysis?.RiskLevel);
    }

    [Fact]
    public void Should_continue_the_clips_event_stream_when_more_events_come_after_a_restart()
    {
        // Given
        var clipId = ClipId.For("porch", new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var at = DateTimeOffset.UnixEpoch;
        using (var before = ActorSystem.Create("before-restart", JournalConfig(_databasePath)))
        {
            var first = before.ActorOf(ClipRepository.Props(Settings(_databasePath)));
            first.Tell(new ClipRecorded(clipId, at, "porch", "/clips/b.mp4", at, at, 1));
            first.Tell(new UploadStarted(clipId, at, "local", 1));
            AwaitCondition(() => JournalRows(clipId).Count == 2, TimeSpan.FromSeconds(15));
        }

        // When
        var repository = Sys.ActorOf(ClipRepository.Props(Settings(_databasePath)));
        repository.Tell(new UploadCompleted(clipId, at.AddSeconds(1), "local", "local://porch/b.mp4", null));
        repository.Tell(new ClipCompleted(clipId, at.AddSeconds(3), HadErrors: false));
        AwaitCondition(() => JournalRows(clipId).Count == 4, TimeSpan.FromSeconds(15));
        repository.Tell(new LoadClipHistory(clipId), TestActor);

        // Then
        Assert.Equal([1L, 2L, 3L, 4L], JournalRows(clipId).Select(r => r.SequenceNr));
        Assert.Equal(["clip_recorded", "upload_started", "upload_completed", "clip_completed"], JournalRows(clipId).Select(r => r.Manifest));
        var history = ExpectMsg<ClipHistory>(TimeSpan.FromSeconds(15));
        Assert.Equal(ClipStatus.Done, history.State?.Status);
        Assert.Equal("local://porch/b.mp4", history.State?.StorageUri);
    }

    [Fact]
    public void Should_append_a_late_event_after_the_completed_stream_when_an_outbox_delivers_after_the_clip_finished()
    {
        // Given
        var clipId = ClipId.For("yard", new DateTimeOffset(2026, 11, 24, 13, 0, 0, TimeSpan.Zero));
        var at = DateTimeOffset.UnixEpoch;
        var repository = Sys.ActorOf(ClipRepository.Props(Settings(_databasePath)));
        repository.Tell(new ClipRecorded(clipId, at, "yard", "/clips/f.mp4", at, at, 1));
        repository.Tell(new NotificationQueued(clipId, at, "mqtt", "broker down"));
        repository.Tell(new ClipCompleted(clipId, at, HadErrors: false));
        AwaitCondition(() => JournalRows(clipId).Count == 3, TimeSpan.FromSeconds(15));

        // When
        repository.Tell(new NotificationSent(clipId, at.AddMinutes(5), "mqtt"));

        // Then
        AwaitCondition(() => JournalRows(clipId).Count == 4, TimeSpan.FromSeconds(15));
        Assert.Equal([1L, 2L, 3L, 4L], JournalRows(clipId).Select(r => r.SequenceNr));
        Assert.Equal("notification_sent", JournalRows(clipId)[3].Manifest);
    }

    [Fact]
    public void Should_say_a_clips_events_are_durable_only_when_the_journal_holds_every_one_of_them()
    {
        // Given
        var clipId = ClipId.For("gate", new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        var at = DateTimeOffset.UnixEpoch;
        var repository = Sys.ActorOf(ClipRepository.Props(Settings(_databasePath)));
        AwaitAssert(() =>
        {
            repository.Tell(GetStoreHealth.Instance);
            Assert.Equal("online", ExpectMsg<StoreHealth>().Mode);
        }, TimeSpan.FromSeconds(15));

        // When
        repository.Tell(new ClipRecorded(clipId, at, "gate", "/clips/c.mp4", at, at, 1));
        repository.Tell(new UploadStarted(clipId, at, "local", 1));
        repository.Tell(new UploadCompleted(clipId, at, "local", "local://gate/c.mp4", null));
        repository.Tell(new ClipCompleted(clipId, at, HadErrors: false));
        repository.Tell(new AwaitClipDurable(clipId));

        // Then
        ExpectMsg<ClipDurable>(TimeSpan.FromSeconds(15));
        Assert.Equal(["clip_recorded", "upload_started", "upload_completed", "clip_completed"], JournalRows(clipId).Select(r => r.Manifest));
    }

    [Fact]
    public void Should_say_a_clips_events_are_durable_once_they_are_fsyncd_in_the_spool_when_the_database_is_unreachable()
    {
        // Given
        var unreachable = Path.Combine("/proc/no-such-dir", $"{Guid.NewGuid():N}.db");
        var clipId = ClipId.For("shed", new DateTimeOffset(2026, 11, 24, 11, 0, 0, TimeSpan.Zero));
        var at = DateTimeOffset.UnixEpoch;
        var spool = Path.Combine(Path.GetDirectoryName(_databasePath)!, "offline-spool");
        using var offline = ActorSystem.Create("offline", JournalConfig(_databasePath));
        var repository = offline.ActorOf(ClipRepository.Props(Settings(unreachable) with { SpoolFolder = spool }));
        var probe = CreateTestProbe(offline);

        // When
        repository.Tell(new ClipRecorded(clipId, at, "shed", "/clips/d.mp4", at, at, 1), probe.Ref);
        repository.Tell(new ClipCompleted(clipId, at, HadErrors: false), probe.Ref);
        repository.Tell(new AwaitClipDurable(clipId), probe.Ref);

        // Then
        probe.ExpectMsg<ClipDurable>(TimeSpan.FromSeconds(15));
        var spooled = File.ReadAllLines(Path.Combine(spool, "events.jsonl"));
        Assert.Equal(2, spooled.Length);
        Assert.Contains("clip_completed", spooled[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_say_a_clips_events_are_not_durable_when_the_full_spool_dropped_one_of_them()
    {
        // Given
        var unreachable = Path.Combine("/proc/no-such-dir", $"{Guid.NewGuid():N}.db");
        var clipId = ClipId.For("attic", new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var at = DateTimeOffset.UnixEpoch;
        using var offline = ActorSystem.Create("offline-full", JournalConfig(_databasePath));
        var settings = Settings(unreachable) with { SpoolFolder = Path.Combine(Path.GetDirectoryName(_databasePath)!, "full-spool"), SpoolMaxEvents = 1 };
        var repository = offline.ActorOf(ClipRepository.Props(settings));
        var probe = CreateTestProbe(offline);

        // When
        repository.Tell(new ClipRecorded(clipId, at, "attic", "/clips/e.mp4", at, at, 1), probe.Ref);
        repository.Tell(new ClipCompleted(clipId, at, HadErrors: false), probe.Ref);
        repository.Tell(new AwaitClipDurable(clipId), probe.Ref);

        // Then
        Assert.Equal(clipId, probe.ExpectMsg<ClipNotDurable>(TimeSpan.FromSeconds(15)).ClipId);
    }

    public new void Dispose()
    {
        base.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_databasePath)!, recursive: true);
    }

    private static RepositorySettings Settings(string databasePath) =>
        new(ClipStore.For(new StateStoreConfig(StateStoreBackend.Sqlite, databasePath, null, Path.Combine(Path.GetDirectoryName(databasePath)!, "state"), 1000)),
            Path.Combine(Path.GetDirectoryName(databasePath)!, "spool-" + Guid.NewGuid().ToString("N")), 1000);

    private static Akka.Configuration.Config JournalConfig(string databasePath) =>
        HomeSecAkkaExtensions.SqliteJournalConfig(databasePath).WithFallback(HomeSecAkkaExtensions.HomeSecConfig());

    private List<(long SequenceNr, string Manifest, string Json)> JournalRows(ClipId clipId)
    {
        using var connection = new SqliteConnection($"Data Source={_databasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return [];
        }

        command.CommandText = "SELECT sequence_number, manifest, CAST(message AS TEXT) FROM journal WHERE persistence_id = $id ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", ClipJournal.PersistenceIdFor(clipId));
        using var reader = command.ExecuteReader();
        var rows = new List<(long, string, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }
}
