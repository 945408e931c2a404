using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>The daemon's HTTP API as a user's tools see it: the clips JSON API and Prometheus metrics.</summary>
public sealed class HttpApiSpecs : IAsyncLifetime
{
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox();
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip, seconds: 1);
    }

    [Fact]
    public async Task Should_list_show_and_count_clips_when_a_clip_was_processed()
    {
        // Given
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
        using var http = _sandbox.ApiClient();

        // When
        await _sandbox.DropClipsAsync(_clip, 1);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 1);
        var clipId = _sandbox.Alerts()[0].GetProperty("clip_id").GetString()!;
        var listed = await Eventually.WaitForAsync(async () =>
        {
            var clips = await http.GetFromJsonAsync<JsonElement[]>("/api/clips?camera=front_door&status=done&since=1h");
            return clips is { Length: 1 } ? clips : null;
        }, TimeSpan.FromSeconds(30), "the clip listed as done", () => daemon.Output);
        var shown = await http.GetFromJsonAsync<JsonElement>($"/api/clips/{clipId}");
        using var missing = await http.GetAsync(new Uri("/api/clips/front_door-20000101T000000Z", UriKind.Relative));
        using var badSince = await http.GetAsync(new Uri("/api/clips?since=yesterday-ish", UriKind.Relative));
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        // Then
        Assert.Equal(clipId, listed[0].GetProperty("clip_id").GetString());
        Assert.Equal("done", shown.GetProperty("clip").GetProperty("status").GetString());
        var history = shown.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal("clip_recorded", history[0]);
        Assert.Equal("clip_completed", history[^1]);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badSince.StatusCode);
        Assert.Contains("homesec_up 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("homesec_source_healthy{camera=\"front_door\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE homesec_state_store_dropped_events_total counter\n", metrics, StringComparison.Ordinal);
        Assert.Contains("homesec_notifier_outbox_waiting{notifier=\"log\"} 0\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_show_cameras_state_store_and_notifiers_when_inspecting_a_running_daemon()
    {
        // Given
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "inspect", "--url", $"http://127.0.0.1:{_sandbox.HealthPort}");
        var (downExitCode, downOutput) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "inspect", "--url", $"http://127.0.0.1:{DaemonProcess.FreeTcpPort()}");

        // Then
        Assert.Equal(0, exitCode);
        Assert.Contains("status       ok", output, StringComparison.Ordinal);
        Assert.Matches(@"front_door\s+yes\s", output);
        Assert.Contains("state store  online, 0 event(s) spooled", output, StringComparison.Ordinal);
        Assert.Contains("notifier     log: 0 alert(s) waiting", output, StringComparison.Ordinal);
        Assert.Equal(1, downExitCode);
        Assert.Contains("no daemon answers at", downOutput, StringComparison.Ordinal);
    }

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }
}
