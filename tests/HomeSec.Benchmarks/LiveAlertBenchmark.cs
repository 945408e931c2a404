using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Hosting;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Alerts;
using HomeSec.Core.Config;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Filters.None;
using HomeSec.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HomeSec.Benchmarks;

/// <summary>
/// Object appears → fast alert, over many appearances on the synthetic RTSP camera (a red box, a person to the fixture
/// model), through the whole actor tree as the daemon builds it; the final alert of the same clips is the baseline.
/// "Appears" is when the frame showing the object reaches the detect decoder: the camera's timeline starts at its first
/// frame, which the source's first live frame marks, so appearance k is that arrival plus its place in the timeline.
/// </summary>
public static class LiveAlertBenchmark
{
    private const double StillSeconds = 4;
    private const double RedSeconds = 2;

    public static async Task RunAsync(int appearances)
    {
        var reused = await RunOnceAsync(appearances, reuseForFilter: true);
        var decoded = await RunOnceAsync(appearances, reuseForFilter: false);
        Console.WriteLine($"  final alert p50 with the filter reusing live detections {reused:0} ms, decoding the clip again {decoded:0} ms (ratio {reused / decoded:0.000})");
    }

    /// <returns>The final alert's p50 latency in ms.</returns>
    private static async Task<double> RunOnceAsync(int appearances, bool reuseForFilter)
    {
        var root = Path.Combine(Path.GetTempPath(), $"homesec-bench-live-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var port = LoopbackPort.Free();
        var timeline = string.Join(",", Enumerable.Repeat($"still:{StillSeconds},red:{RedSeconds}", appearances)) + $",still:{StillSeconds}";
        using var server = Process.Start(new ProcessStartInfo("/usr/bin/python3",
            [Path.Combine(RepoPaths.Root, "tests", "rtsp", "rtsp_server.py"), "--port", port.ToString(CultureInfo.InvariantCulture), "--mount", $"cam={timeline}"])
        { RedirectStandardOutput = true, UseShellExecute = false })!;
        try
        {
            await server.StandardOutput.ReadLineAsync(); // READY
            Environment.SetEnvironmentVariable("BENCH_RTSP_URL", $"rtsp://127.0.0.1:{port}/cam");
            var yaml = $"""
                cameras:
                  - name: cam
                    source:
                      type: rtsp
                      config:
                        rtsp_url_env: BENCH_RTSP_URL
                        output_dir: {Path.Combine(root, "recordings")}
                        pre_roll_s: 1
                        stop_delay_s: 1
                        pixel_threshold: 10
                storage:
                  backend: local
                  config:
                    root: {Path.Combine(root, "storage")}
                state_store:
                  path: {Path.Combine(root, "homesec.db")}
                  local_state_dir: {Path.Combine(root, "state")}
                notifiers:
                  - backend: capture
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
                  reuse_for_filter: {(reuseForFilter ? "true" : "false")}
                alert_policy:
                  backend: default
                  config:
                    notify_on_motion: true
                """;
            var capture = new CapturingNotifier();
            var registries = PluginRegistries.CreateBuiltin();
            registries.Notifiers.Register("capture", NoOptions.Read, (_, _) => capture);
            var config = AppConfigLoader.Load(yaml, registries);
            await ClipStore.For(config.StateStore).EnsureSchemaAsync(CancellationToken.None);
            var liveFrames = new LiveFrames();
            var settings = HomeSecSettings.FromConfig(config, registries, NullLoggerFactory.Instance, TimeProvider.System, liveFrames: liveFrames);
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddAkka(HomeSecAkkaExtensions.ActorSystemName, akka => akka
                .AddHocon(HomeSecAkkaExtensions.SqliteJournalConfig(config.StateStore.SqlitePath), HoconAddMode.Prepend)
                .AddHomeSec(settings));
            using var host = builder.Build();
            await host.StartAsync();

            // The timeline's zero as HomeSec sees it: every frame carries its number (16 blocks along the top edge), so a
            // frame that arrived at t shows timeline time n / fps; frames decoded in real time give the smallest t - n / fps
            // (the first ones come in a burst after ffmpeg's probing, late).
            var zero = DateTimeOffset.MaxValue;
            var sampling = Stopwatch.StartNew();
            var seen = DateTimeOffset.MinValue;
            TimeSpan? firstFrame = null;
            while (sampling.Elapsed < TimeSpan.FromSeconds(30) && (firstFrame is null || sampling.Elapsed - firstFrame < TimeSpan.FromSeconds(3.5)))
            {
                firstFrame ??= liveFrames.Latest("cam") is null ? null : sampling.Elapsed;
                if (liveFrames.Latest("cam") is { } frame && frame.At != seen)
                {
                    seen = frame.At;
                    var shownAt = frame.At - TimeSpan.FromSeconds(FrameNumber(frame) / 10.0);
                    if (Environment.GetEnvironmentVariable("BENCH_DEBUG") is not null)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"frame {FrameNumber(frame)} at {frame.At:HH:mm:ss.fff}"));
                    }

                    zero = shownAt < zero ? shownAt : zero;
                }

                await Task.Delay(5);
            }

            if (zero == DateTimeOffset.MaxValue)
            {
                throw new TimeoutException("the camera sent no frame within 30 s");
            }

            var end = zero + TimeSpan.FromSeconds((appearances * (StillSeconds + RedSeconds)) + StillSeconds + 20);
            while (DateTimeOffset.UtcNow < end && capture.Final.Count < appearances)
            {
                await Task.Delay(200);
            }

            await host.StopAsync();
            Console.WriteLine(reuseForFilter ? "with reuse_for_filter: true" : "with reuse_for_filter: false");
            return Report(appearances, zero, capture);
        }
        finally
        {
            server.Kill();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private static double Report(int appearances, DateTimeOffset zero, CapturingNotifier capture)
    {
        DateTimeOffset Appearance(int k) => zero + TimeSpan.FromSeconds((k * (StillSeconds + RedSeconds)) + StillSeconds);
        int AppearanceOf(DateTimeOffset at) => (int)Math.Floor(((at - zero).TotalSeconds - StillSeconds) / (StillSeconds + RedSeconds));
        List<double> LatenciesMs(IEnumerable<(Alert Alert, DateTimeOffset SentAt)> alerts) =>
            [.. alerts.Select(a => (a.SentAt - Appearance(AppearanceOf(a.SentAt - TimeSpan.FromSeconds(0.001)))).TotalMilliseconds).Order()];

        var fast = capture.Fast.ToList();
        var fastLatencies = LatenciesMs(fast);
        // The final alert comes after the clip ends (stop_delay_s after the object left) and is filtered again: its
        // latency is measured from the same appearance, found through the fast alert of the same clip.
        var appearanceOfClip = fast.ToDictionary(a => a.Alert.ClipId, a => AppearanceOf(a.SentAt - TimeSpan.FromSeconds(0.001)));
        var finalLatencies = capture.Final.Where(f => appearanceOfClip.ContainsKey(f.Alert.ClipId))
            .Select(f => (f.SentAt - Appearance(appearanceOfClip[f.Alert.ClipId])).TotalMilliseconds).Order().ToList();
        var frameToAlert = fast.Select(a => (a.SentAt - a.Alert.DetectedAt!.Value).TotalMilliseconds).Order().ToList();
        Console.WriteLine($"HomeSec live alert benchmark, {Environment.ProcessorCount} cores: {appearances} appearances of a red box ({RedSeconds} s each, {StillSeconds} s apart), live detection at 5 fps");
        Console.WriteLine($"  fast alerts:  {fast.Count}/{appearances}; appearance -> fast alert p50 {P(fastLatencies, 0.5):0} ms, p99 {P(fastLatencies, 0.99):0} ms");
        Console.WriteLine($"                detection frame arrived -> fast alert p50 {P(frameToAlert, 0.5):0} ms, p99 {P(frameToAlert, 0.99):0} ms");
        Console.WriteLine($"  final alerts: {finalLatencies.Count}/{appearances}; appearance -> final alert p50 {P(finalLatencies, 0.5):0} ms, p99 {P(finalLatencies, 0.99):0} ms (baseline)");
        Console.WriteLine("  first fast alerts, seconds after the first frame (detection frame, sent): " + string.Join("; ", fast.Take(5).Select(a =>
            string.Create(CultureInfo.InvariantCulture, $"{(a.Alert.DetectedAt!.Value - zero).TotalSeconds:0.00}, {(a.SentAt - zero).TotalSeconds:0.00}"))));
        Console.WriteLine($"  ratio fast/final (p50): {P(fastLatencies, 0.5) / P(finalLatencies, 0.5):0.000}");
        return P(finalLatencies, 0.5);
    }

    /// <summary>The frame number rtsp_server.py draws: 16 blocks of 12 px (at 640 px wide) along the top, bright = 1, least significant first.</summary>
    private static int FrameNumber(LiveFrame frame)
    {
        var scale = frame.Width / 640.0;
        var number = 0;
        for (var bit = 0; bit < 16; bit++)
        {
            var x = (int)(((bit * 12) + 6) * scale);
            var y = (int)(6 * scale);
            var at = ((y * frame.Width) + x) * frame.Channels;
            var luma = frame.Channels == 3 ? (frame.Pixels[at] + frame.Pixels[at + 1] + frame.Pixels[at + 2]) / 3 : frame.Pixels[at];
            number |= luma > 128 ? 1 << bit : 0;
        }

        return number;
    }

    private static double P(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed class CapturingNotifier : INotifier
    {
        public ConcurrentQueue<(Alert Alert, DateTimeOffset SentAt)> Fast { get; } = new();

        public ConcurrentQueue<(Alert Alert, DateTimeOffset SentAt)> Final { get; } = new();

        public Task SendAsync(Alert alert, CancellationToken cancellationToken)
        {
            (alert.Phase == AlertPhases.Detected ? Fast : Final).Enqueue((alert, DateTimeOffset.UtcNow));
            return Task.CompletedTask;
        }
    }
}
