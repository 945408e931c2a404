using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>P0 on a real PostgreSQL server: recording, storing and alerting never depend on the database.</summary>
public sealed class DatabaseOutageSpecs : IAsyncLifetime
{
    private const string DsnPassword = "pg-secret-7f3a";
    private PostgresServer _postgres = null!;
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        // The server trusts loopback and ignores the password; it is there to prove it never reaches a log.
        _sandbox = new DaemonSandbox(_postgres.ConnectionString + ";Password=" + DsnPassword);
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip, seconds: 1);
    }

    [Fact]
    public async Task Should_store_and_alert_every_clip_and_write_the_outage_events_in_order_when_postgres_stops_mid_run()
    {
        // Given
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("state_store").GetProperty("mode").GetString() == "online", "the state store online");
        await _sandbox.DropClipsAsync(_clip, 10);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 3);

        // When
        await _postgres.StopServerAsync();
        await _sandbox.DropClipsAsync(_clip, 10);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 20);
        var during = await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("state_store").GetProperty("mode").GetString() == "offline", "the state store offline");
        await _postgres.StartServerAsync();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("state_store").GetProperty("mode").GetString() == "online", "the state store online again");
        await _sandbox.DropClipsAsync(_clip, 1);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 21);

        // Then
        Assert.False(daemon.HasExited);
        Assert.True(during.GetProperty("state_store").GetProperty("spooled_events").GetInt32() > 0);
        Assert.Equal(21, Directory.GetFiles(_sandbox.StorageDir, "*.mp4").Length);
        await Eventually.WaitForAsync(
            () => _sandbox.ClipEvents() is { Count: 21 } clips && clips.Values.All(events => events[^1].EventType == "clip_completed"),
            TimeSpan.FromSeconds(90), "clip_events to hold the complete history of all 21 clips", () => daemon.Output);
        foreach (var (clipId, events) in _sandbox.ClipEvents())
        {
            // Strictly increasing; a number whose write failed during the outage stays unused.
            Assert.True(Enumerable.Range(1, events.Count - 1).All(i => events[i - 1].SequenceNr < events[i].SequenceNr), clipId);
            Assert.All(new[] { "clip_recorded", "alert_decision_made", "notification_sent", "upload_completed" },
                once => Assert.Single(events, e => e.EventType == once));
            Assert.Equal("clip_recorded", events[0].EventType);
            Assert.True(events.FindIndex(e => e.EventType == "upload_completed") < events.FindIndex(e => e.EventType == "notification_sent"), clipId);
        }

        Assert.Equal(21, _sandbox.Alerts().Select(a => a.GetProperty("clip_id").GetString()).Distinct().Count());
        Assert.Equal(21, _sandbox.Alerts().Count);
        Assert.DoesNotContain(DsnPassword, daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_start_say_so_in_health_and_connect_by_itself_when_postgres_is_down_at_start()
    {
        // Given
        await _postgres.StopServerAsync();

        // When
        await using var daemon = _sandbox.StartDaemon();
        var down = await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("state_store").GetProperty("mode").GetString() == "offline", "the state store reported offline");
        await _sandbox.DropClipsAsync(_clip, 3);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 3);
        await _postgres.StartServerAsync();

        // Then
        Assert.Equal("degraded", down.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(down.GetProperty("state_store").GetProperty("last_error").GetString()));
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("state_store").GetProperty("mode").GetString() == "online", "the state store online");
        await Eventually.WaitForAsync(
            () => _sandbox.ClipEvents() is { Count: 3 } clips && clips.Values.All(events => events[^1].EventType == "clip_completed"),
            TimeSpan.FromSeconds(90), "the spooled events of 3 clips in clip_events", () => daemon.Output);
        Assert.DoesNotContain(DsnPassword, daemon.Output, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        _sandbox.Dispose();
        await _postgres.DisposeAsync();
    }
}
