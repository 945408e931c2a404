using System.Globalization;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using HomeSec.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// Live detection on the real GStreamer RTSP camera with the colour fixture model: a red box (a "person" to
/// tests/models/red_patch_detector.onnx) appears while the camera records; the fast alert (phase detected) goes out
/// while the clip is still being recorded, the final alert follows with the same dedupe key.
/// </summary>
public sealed class LiveAlertSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly DaemonSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Should_send_the_fast_alert_while_recording_and_the_final_alert_with_the_same_dedupe_key_when_a_person_appears()
    {
        // Given an RTSP camera whose scene is still for 3 s, then shows a red box moving for 6 s
        using var camera = RtspServer.Start("door=still:3,red:6");
        ConfigureLiveCamera(camera, "door", extra: "");
        await using var daemon = _sandbox.StartDaemon();

        // When the box appears (the alerts file is watched as it is written, to time the fast alert)
        var (fast, seenAt) = await WatchForAsync(daemon, a => a.GetProperty("phase").GetString() == "detected", TimeSpan.FromSeconds(60));
        var final = await Eventually.WaitForAsync(() => Task.FromResult(_sandbox.Alerts().FirstOrDefault(a => a.GetProperty("phase").GetString() == "final") is { ValueKind: JsonValueKind.Object } a ? new Found(a) : null),
            TimeSpan.FromSeconds(90), "the final alert", () => daemon.Output);

        // Then
        var detectedAt = fast.GetProperty("detected_at").GetDateTimeOffset();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fast alert written {(seenAt - detectedAt).TotalMilliseconds:0} ms after its frame arrived"));
        Assert.Equal("person", fast.GetProperty("detected_class").GetString());
        Assert.Equal("driveway", fast.GetProperty("camera_name").GetString());
        Assert.Equal(JsonValueKind.Null, fast.GetProperty("summary").ValueKind);
        Assert.Equal(fast.GetProperty("dedupe_key").GetString(), final.Value.GetProperty("dedupe_key").GetString());
        Assert.Equal(fast.GetProperty("clip_id").GetString(), final.Value.GetProperty("clip_id").GetString());
        var clipId = fast.GetProperty("clip_id").GetString()!;
        var events = (await Eventually.WaitForAsync(() => Task.FromResult(
                _sandbox.ClipEvents().GetValueOrDefault(clipId) is { } rows && rows.Any(r => r.EventType == "clip_completed") ? rows.Select(r => r.EventType).ToList() : null),
            TimeSpan.FromSeconds(30), "the clip's events in clip_events", () => daemon.Output))!;
        Assert.Equal("object_detected", events[0]);
        Assert.Contains("detection_alerted", events);
        Assert.True(events.IndexOf("detection_alerted") < events.IndexOf("clip_recorded"), "the fast alert was decided before the clip was recorded: " + string.Join(", ", events));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), _sandbox.ClipEvents()[clipId].Select(e => e.SequenceNr));
        Assert.Equal(1, _sandbox.Alerts().Count(a => a.GetProperty("phase").GetString() == "detected"));
        Assert.Contains("fast alert to log", daemon.Output, StringComparison.Ordinal);
        var state = ClipStatesTable.Read(Path.Combine(_sandbox.Root, "homesec.db")).Single(s => s.GetProperty("clip_id").GetString() == clipId);
        Assert.True(state.GetProperty("filter").GetProperty("from_live_detection").GetBoolean(), "the filter reused the live detections instead of decoding again");
        Assert.Contains("person", state.GetProperty("filter").GetProperty("detected_classes").EnumerateArray().Select(c => c.GetString()));
        Assert.True(state.GetProperty("filter").TryGetProperty("snapshot", out _), "a snapshot was drawn from the live detection");
    }

    [Fact]
    public async Task Should_send_no_fast_alert_when_the_object_is_outside_the_required_zone()
    {
        // Given the box sweeps through the middle rows only, and the camera requires the bottom strip for a person
        using var camera = RtspServer.Start("door=still:3,red:6");
        ConfigureLiveCamera(camera, "door", extra: """
                zones:
                  - name: lawn
                    polygon: "0,0.95 1,0.95 1,1 0,1"
                    units: relative
                alerts:
                  required_zones: {person: [lawn]}
            """);
        await using var daemon = _sandbox.StartDaemon();

        // When the clip is finished and alerted on (or not)
        await Eventually.WaitForAsync(() => Task.FromResult(_sandbox.ClipEvents().Values.Any(e => e.Any(x => x.EventType == "clip_completed")) ? new object() : null),
            TimeSpan.FromSeconds(90), "the clip completed", () => daemon.Output);

        // Then live detection saw it, but no alert went out
        var events = _sandbox.ClipEvents().Values.Single().Select(e => e.EventType).ToList();
        Assert.Contains("object_detected", events);
        Assert.DoesNotContain("detection_alerted", events);
        Assert.Empty(_sandbox.Alerts());
        Assert.Contains("no fast alert", daemon.Output, StringComparison.Ordinal);
    }

    private void ConfigureLiveCamera(RtspServer camera, string mount, string extra)
    {
        _sandbox.ExtraEnvironment["DRIVEWAY_RTSP_URL"] = camera.Url(mount);
        _sandbox.EditConfig(config =>
        {
            var start = config.IndexOf("cameras:\n", StringComparison.Ordinal);
            var end = config.IndexOf("storage:\n", StringComparison.Ordinal);
            var withCamera = config[..start] + $"""
                cameras:
                  - name: driveway
                    source:
                      type: rtsp
                      config:
                        rtsp_url_env: DRIVEWAY_RTSP_URL
                        output_dir: {Path.Combine(_sandbox.Root, "recordings")}
                        pre_roll_s: 1
                        stop_delay_s: 2
                        pixel_threshold: 10   # pure red is dark in luma (about 76 on the scene's 60): motion must see it
                {extra}
                """ + "\n" + config[end..];
            return withCamera.Replace("""
                alert_policy:
                  backend: default
                """, $"""
                filter:
                  backend: yolo
                  trigger_classes: [person]
                  config:
                    model_path: {RepoPaths.Model("red_patch_detector.onnx")}
                    sample_fps: 2
                    threads: 1
                live_detection:
                  enabled: true
                  fps: 5
                alert_policy:
                  backend: default
                """, StringComparison.Ordinal);
        });
    }

    /// <summary>Polls the alerts file every 10 ms until an alert matches; returns it and when it was first seen.</summary>
    private async Task<(JsonElement Alert, DateTimeOffset SeenAt)> WatchForAsync(DaemonProcess daemon, Func<JsonElement, bool> match, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (_sandbox.Alerts().FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } alert)
            {
                return (alert, DateTimeOffset.UtcNow);
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"no matching alert within {within.TotalSeconds:0} s\n{daemon.Output}");
    }

    private sealed record Found(JsonElement Value);
}
