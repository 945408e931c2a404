using System.Net.Http.Json;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace HomeSec.IntegrationTests.Cluster;

/// <summary>
/// Two daemons on loopback: an NVR (a local_folder camera, the yolo filter, role nvr) and an inference node (role
/// inference, the same model, no cameras). Clips are filtered on the inference node; when it is killed with SIGKILL in the
/// middle of a burst every clip still completes (re-sent to the NVR's own pool), and once it is back frames go to it again.
/// </summary>
public sealed class ClusterDaemonSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"homesec-cluster-{Guid.NewGuid():N}");
    private readonly int _nvrHealth = DaemonProcess.FreeTcpPort();
    private readonly int _gpuHealth = DaemonProcess.FreeTcpPort();
    private readonly int _nvrRemoting = DaemonProcess.FreeTcpPort();
    private readonly int _gpuRemoting = DaemonProcess.FreeTcpPort();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private int _clips;

    public ClusterDaemonSpecs() => Directory.CreateDirectory(_root);

    private string WatchDir => Path.Combine(_root, "incoming", "front_door");

    private string DatabaseFile => Path.Combine(_root, "nvr", "homesec.db");

    [Fact]
    public async Task Should_filter_on_the_inference_node_complete_every_clip_when_it_is_killed_mid_burst_and_use_it_again_when_it_is_back()
    {
        // Given
        var clip = Path.Combine(_root, "red-box.mp4");
        await Ffmpeg.MakeClipAsync(clip, "color=c=0x404040:s=640x360:r=10:d=3[bg];color=c=red:s=80x160:r=10[box];[bg][box]overlay=x='40+40*t':y=100:shortest=1");
        var nvrConfig = WriteConfig("nvr", NvrConfig());
        var gpuConfig = WriteConfig("gpu", GpuConfig());
        Directory.CreateDirectory(WatchDir);
        await using var nvr = DaemonProcess.Start(_root, "run", "--config", nvrConfig);
        var gpu = DaemonProcess.Start(_root, "run", "--config", gpuConfig);
        await WaitForReadyInferenceNodeAsync(nvr, gpu);

        // When: one clip while both run
        await DropClipsAsync(clip, 1);
        await WaitForCompletedAsync(nvr, 1);
        var remoteFrames = Frames(await HealthAsync(_gpuHealth, gpu));
        var localBefore = Frames(await HealthAsync(_nvrHealth, nvr));

        // When: a burst, and the inference node is killed once it has started on it
        await DropClipsAsync(clip, 8);
        await Eventually.WaitForAsync(async () => Frames(await HealthAsync(_gpuHealth, gpu)) > remoteFrames ? new Box(true) : null,
            Patience, "the inference node working on the burst", () => gpu.Output);
        await gpu.KillAsync();
        var killedAt = DateTime.UtcNow;
        await WaitForCompletedAsync(nvr, 9);
        var afterKill = DateTime.UtcNow - killedAt;
        var nvrAfterKill = await HealthAsync(_nvrHealth, nvr);

        // When: the inference node is started again (same address, a new incarnation)
        var restarted = DaemonProcess.Start(_root, "run", "--config", gpuConfig);
        try
        {
            await WaitForReadyInferenceNodeAsync(nvr, restarted);
            await DropClipsAsync(clip, 1);
            await WaitForCompletedAsync(nvr, 10);
            var restartedFrames = Frames(await HealthAsync(_gpuHealth, restarted));
            var cluster = await _http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{_nvrHealth}/health/cluster"));
            var (inspectExit, inspectOutput) = await DaemonProcess.RunToEndAsync(_root, "inspect", "cluster", "--url", $"http://127.0.0.1:{_nvrHealth}");

            // Then
            Assert.True(remoteFrames > 0, "the first clip's frames were run on the inference node");
            Assert.Equal(0, localBefore);
            Assert.True(Frames(nvrAfterKill) > 0, "the NVR's own pool took over after the kill");
            var routing = nvrAfterKill.GetProperty("inference").GetProperty("routing");
            Assert.Equal(0, routing.GetProperty("failed").GetInt64());
            Assert.True(restartedFrames > 0, "frames went to the restarted inference node");
            Assert.False(nvr.HasExited, "the NVR never left the cluster");
            var self = cluster.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("self").GetBoolean());
            Assert.Equal("up", self.GetProperty("status").GetString());
            Assert.Equal(10, Completed());
            Assert.Equal(0, inspectExit);
            Assert.Contains($"akka.tcp://homesec@127.0.0.1:{_gpuRemoting}", inspectOutput, StringComparison.Ordinal);
            Assert.Contains("inference", inspectOutput, StringComparison.Ordinal);
            Assert.Contains("leader", inspectOutput, StringComparison.Ordinal);
            Console.WriteLine($"cluster: remote frames {remoteFrames}, after the kill the burst finished in {afterKill.TotalSeconds:0.0} s; " +
                $"resent {routing.GetProperty("resent").GetInt64()}, sent_local {routing.GetProperty("sent_local").GetInt64()}, sent_remote {routing.GetProperty("sent_remote").GetInt64()}");
        }
        finally
        {
            await restarted.DisposeAsync();
            await gpu.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static long Frames(JsonElement health) =>
        health.GetProperty("inference").TryGetProperty("frames", out var frames) ? frames.GetInt64() : 0;

    private async Task WaitForReadyInferenceNodeAsync(DaemonProcess nvr, DaemonProcess gpu) =>
        await Eventually.WaitForAsync(async () =>
        {
            var health = await TryHealthAsync(_nvrHealth);
            return health is { } h && h.GetProperty("inference").TryGetProperty("routing", out var routing) && routing.ValueKind == JsonValueKind.Object
                && routing.GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("ready").GetBoolean())
                ? new Box(true)
                : null;
        }, Patience, "the NVR routing to a ready inference node", () => nvr.Output + Environment.NewLine + "--- inference node ---" + Environment.NewLine + gpu.Output);

    private async Task<JsonElement> HealthAsync(int port, DaemonProcess daemon) =>
        (await Eventually.WaitForAsync(async () => await TryHealthAsync(port) is { } health ? new Box<JsonElement>(health) : null,
            Patience, $"/health on port {port}", () => daemon.Output)).Value;

    private async Task<JsonElement?> TryHealthAsync(int port)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.ValueKind == JsonValueKind.Object && body.TryGetProperty("inference", out _) ? body : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    private Task WaitForCompletedAsync(DaemonProcess nvr, int count) =>
        Eventually.WaitForAsync(() => Completed() >= count, Patience, $"{count} completed clips", () => nvr.Output);

    private int Completed()
    {
        try
        {
            using var connection = new SqliteConnection($"Data Source={DatabaseFile};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(DISTINCT persistence_id) FROM journal WHERE manifest = 'clip_completed'";
            return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0;
        }
    }

    private async Task DropClipsAsync(string source, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var name = $"clip-{++_clips:D3}.mp4";
            var staging = Path.Combine(_root, name + ".partial");
            File.Copy(source, staging);
            File.Move(staging, Path.Combine(WatchDir, name));
            await Task.Yield();
        }
    }

    private string WriteConfig(string node, string yaml)
    {
        var path = Path.Combine(_root, node + ".yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string ModelPath => RepoPaths.Model("red_patch_detector.onnx");

    private string Filter => $"""
        filter:
          backend: yolo
          trigger_classes: [person]
          config:
            model_path: {ModelPath}
            sample_fps: 5
            early_exit: false
            execution_provider: cpu
            threads: 1
        """;

    private string NvrConfig() => $"""
        cameras:
          - name: front_door
            source:
              type: local_folder
              config:
                watch_dir: {WatchDir}
                poll_interval_s: 0.2
                stability_threshold_s: 0.3
        storage:
          backend: local
          config:
            root: {Path.Combine(_root, "storage")}
        state_store:
          backend: sqlite
          path: {DatabaseFile}
          local_state_dir: {Path.Combine(_root, "nvr", "state")}
        notifiers:
          - backend: log
            config:
              path: {Path.Combine(_root, "alerts.jsonl")}
        {Filter}
        concurrency:
          max_clips_in_flight: 4
          filter_workers: 2
        retry:
          backoff_s: 0.5
        health:
          host: 127.0.0.1
          port: {_nvrHealth}
        cluster:
          enabled: true
          roles: [nvr]
          hostname: 127.0.0.1
          port: {_nvrRemoting}
        """;

    private string GpuConfig() => $"""
        storage:
          backend: local
          config:
            root: {Path.Combine(_root, "gpu-storage")}
        state_store:
          backend: sqlite
          path: {Path.Combine(_root, "gpu", "homesec.db")}
          local_state_dir: {Path.Combine(_root, "gpu", "state")}
        {Filter}
        health:
          host: 127.0.0.1
          port: {_gpuHealth}
        cluster:
          enabled: true
          roles: [inference]
          hostname: 127.0.0.1
          port: {_gpuRemoting}
          seed_nodes: ['127.0.0.1:{_nvrRemoting}']
        """;

    private sealed record Box(bool Value);

    private sealed record Box<T>(T Value);
}
