using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// The daemon as operators meet it: the metrics Prometheus scrapes, liveness apart from readiness (what a container
/// healthcheck and <c>homesec inspect --live</c> use), and the start-up banner in its log.
/// </summary>
public sealed class OperationsSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox();
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip, seconds: 1);
    }

    [Fact]
    public async Task Should_export_histograms_counters_and_gauges_with_their_types_when_a_clip_was_processed()
    {
        // Given
        await using var daemon = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
        using var http = Http();
        var before = await PrometheusText.ScrapeAsync(http);

        // When
        await _sandbox.DropClipsAsync(_clip, 1);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 1);
        var after = await Eventually.WaitForAsync(async () =>
        {
            var scrape = await PrometheusText.ScrapeAsync(http);
            return scrape.Value("""homesec_clips_total{camera="front_door",status="done"}""") is > 0 ? scrape : null;
        }, Patience, "the clip counted as done on /metrics", () => daemon.Output);

        // Then the names and types are what dashboards and alerts rely on
        Assert.Equal("histogram", after.TypeOf("homesec_stage_duration_seconds"));
        Assert.Equal("histogram", after.TypeOf("homesec_inference_batch_duration_seconds"));
        Assert.Equal("counter", after.TypeOf("homesec_clips_total"));
        Assert.Equal("counter", after.TypeOf("homesec_alerts_total"));
        Assert.Equal("counter", after.TypeOf("homesec_notifications_total"));
        Assert.Equal("gauge", after.TypeOf("homesec_notifier_connected"));
        Assert.Equal("gauge", after.TypeOf("homesec_build_info"));
        Assert.Equal("gauge", after.TypeOf("homesec_up"));
        Assert.Equal("counter", after.TypeOf("process_cpu_seconds_total"));
        Assert.Null(after.TypeOf("homesec_inference_last_batch_milliseconds"));
        Assert.Contains(after.Text.Split('\n'), line => line.StartsWith("homesec_build_info{version=\"", StringComparison.Ordinal) && line.EndsWith("\"} 1", StringComparison.Ordinal));
        Assert.Equal(1, after.Value("homesec_up"));

        // Then the one clip moved every counter of its way through the pipeline, and nothing counted it before
        Assert.Null(before.Value("""homesec_clips_total{camera="front_door",status="done"}"""));
        Assert.Equal(1, after.Value("""homesec_clips_total{camera="front_door",status="done"}"""));
        Assert.Equal(1, after.Value("""homesec_alerts_total{camera="front_door"}"""));
        Assert.Equal(1, after.Value("""homesec_notifications_total{notifier="log",result="sent"}"""));
        foreach (var stage in new[] { "upload", "filter", "notify" })
        {
            Assert.True(after.Value($"homesec_stage_duration_seconds_count{{stage=\"{stage}\"}}") >= 1, $"stage {stage} observed in:\n{after.Text}");
            Assert.True(after.Value($"homesec_stage_duration_seconds_bucket{{stage=\"{stage}\",le=\"+Inf\"}}") >= 1, $"stage {stage} has buckets in:\n{after.Text}");
        }
    }

    [Fact]
    public async Task Should_be_live_but_not_ready_when_a_camera_is_broken()
    {
        // Given a second camera whose folder cannot be made (a file stands where its folder should be)
        var notAFolder = Path.Combine(_sandbox.Root, "back_yard-is-a-file");
        await File.WriteAllTextAsync(notAFolder, "not a folder");
        _sandbox.EditConfig(config => config.Replace("storage:\n", $"""
              - name: back_yard
                source:
                  type: local_folder
                  config:
                    watch_dir: {notAFolder}
            storage:

            """, StringComparison.Ordinal));
        await using var daemon = _sandbox.StartDaemon();
        var health = await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("sources").TryGetProperty("front_door", out var front) && front.GetProperty("healthy").GetBoolean(),
            "the working camera healthy");
        using var http = Http();

        // When
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var full = await http.GetAsync(new Uri("/health", UriKind.Relative));
        var (liveExitCode, liveOutput) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "inspect", "--live", "--config", _sandbox.ConfigFile);
        var (inspectExitCode, _) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "inspect", "--config", _sandbox.ConfigFile);
        var metrics = await PrometheusText.ScrapeAsync(http);

        // Then
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.False(health.GetProperty("sources").GetProperty("back_yard").GetProperty("healthy").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("alive", (await live.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("degraded", (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);
        Assert.Equal(0, liveExitCode);
        Assert.Contains("alive", liveOutput, StringComparison.Ordinal);
        Assert.Equal(3, inspectExitCode);
        Assert.Equal(0, metrics.Value("homesec_up"));
        Assert.Equal(0, metrics.Value("""homesec_source_healthy{camera="back_yard"}"""));
    }

    [Fact]
    public async Task Should_fail_the_live_check_when_no_daemon_answers()
    {
        // Given no daemon on the config's port

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "inspect", "--live", "--config", _sandbox.ConfigFile);

        // Then
        Assert.Equal(1, exitCode);
        Assert.Contains($"not alive: no daemon answers at http://127.0.0.1:{_sandbox.HealthPort.ToString(CultureInfo.InvariantCulture)}/", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_log_a_startup_banner_and_akka_lines_with_one_prefix_when_the_daemon_starts()
    {
        // Given
        await using var daemon = _sandbox.StartDaemon();

        // When
        await Eventually.WaitForAsync(() => daemon.Output.Contains("HTTP: http://", StringComparison.Ordinal) && daemon.Output.Contains("Journal online", StringComparison.Ordinal),
            Patience, "the banner and the journal's first line", () => daemon.Output);
        var lines = daemon.Output.Split('\n');

        // Then
        Assert.Single(lines, line => line.Contains("] HomeSec ", StringComparison.Ordinal) && line.TrimEnd().EndsWith(" started", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains("camera front_door: local_folder", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains($"state store: sqlite {Path.Combine(_sandbox.Root, "homesec.db")}", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains($"storage: local {Path.Combine(_sandbox.Root, "storage")}", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains($"HTTP: http://127.0.0.1:{_sandbox.HealthPort.ToString(CultureInfo.InvariantCulture)} ", StringComparison.Ordinal));
        var journalOnline = Assert.Single(lines, line => line.Contains("Journal online", StringComparison.Ordinal));
        Assert.Contains("info: HomeSec.Actors.Repository.ClipRepository[0] Journal online", journalOnline, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, line => line.Contains("[INFO][", StringComparison.Ordinal) || line.Contains("[Thread ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_tell_systemd_it_is_ready_when_it_runs_as_a_notify_service()
    {
        // Given what systemd gives a Type=notify unit: the socket to report to, and a parent process named systemd
        // (how .NET tells it runs as a service; here a shell copied under that name)
        var socketPath = Path.Combine(_sandbox.Root, "notify.sock");
        using var notifySocket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notifySocket.Bind(new UnixDomainSocketEndPoint(socketPath));
        _sandbox.ExtraEnvironment["NOTIFY_SOCKET"] = socketPath;
        var systemd = Path.Combine(_sandbox.Root, "systemd");
        File.Copy("/bin/sh", systemd); // keeps its mode: executable

        // When
        await using var daemon = _sandbox.StartDaemonUnder(systemd);
        var buffer = new byte[512];
        using var patience = new CancellationTokenSource(Patience);
        var received = await notifySocket.ReceiveAsync(buffer, SocketFlags.None, patience.Token);
        using var http = Http();
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));

        // Then it reports READY once it listens, and logs in journald's format (a priority, no own timestamp)
        Assert.Contains("READY=1", Encoding.UTF8.GetString(buffer, 0, received), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await Eventually.WaitForAsync(() => daemon.Output.Contains("<6>HomeSec.Actors.Repository.ClipRepository[0] Journal online", StringComparison.Ordinal),
            Patience, "journald-style log lines", () => daemon.Output);
    }

    [Fact]
    public async Task Should_show_the_mqtt_notifier_disconnected_when_its_broker_stops()
    {
        // Given a daemon with an mqtt notifier connected to a real broker
        using var broker = Mosquitto.StartAnonymous();
        _sandbox.EditConfig(config => config.Replace("alert_policy:\n", $"""
              - backend: mqtt
                config:
                  host: 127.0.0.1
                  port: {broker.Port.ToString(CultureInfo.InvariantCulture)}
                  client_id: homesec-operations-spec
            alert_policy:

            """, StringComparison.Ordinal));
        await using var daemon = _sandbox.StartDaemon();
        using var http = Http();
        // (the camera reports healthy a moment after start: wait for both, so homesec_up is read once the daemon is up)
        var connected = await ScrapeUntilAsync(http, m => m.Value("""homesec_notifier_connected{notifier="mqtt"}""") == 1 && m.Value("homesec_up") == 1,
            "mqtt connected and the daemon up", daemon);

        // When
        broker.Kill();
        var disconnected = await ScrapeUntilAsync(http, m => m.Value("""homesec_notifier_connected{notifier="mqtt"}""") == 0, "mqtt disconnected", daemon);
        var health = await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("notifiers").GetProperty("mqtt").GetProperty("connected").ValueKind == JsonValueKind.False,
            "the mqtt notifier disconnected on /health");

        // Then
        Assert.Equal(1, connected.Value("homesec_up"));
        Assert.Equal(0, disconnected.Value("""homesec_notifier_connected{notifier="mqtt"}"""));
        Assert.Null(disconnected.Value("""homesec_notifier_connected{notifier="log"}"""));
        Assert.Equal(JsonValueKind.Null, health.GetProperty("notifiers").GetProperty("log").GetProperty("connected").ValueKind);
        Assert.Equal(JsonValueKind.String, health.GetProperty("notifiers").GetProperty("mqtt").GetProperty("connection_error").ValueKind);
    }

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }

    private HttpClient Http() => new() { BaseAddress = new Uri($"http://127.0.0.1:{_sandbox.HealthPort.ToString(CultureInfo.InvariantCulture)}"), Timeout = TimeSpan.FromSeconds(10) };

    private static Task<PrometheusText> ScrapeUntilAsync(HttpClient http, Func<PrometheusText, bool> condition, string what, DaemonProcess daemon) =>
        Eventually.WaitForAsync(async () =>
        {
            try
            {
                var scrape = await PrometheusText.ScrapeAsync(http);
                return condition(scrape) ? scrape : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, Patience, what, () => daemon.Output);
}
