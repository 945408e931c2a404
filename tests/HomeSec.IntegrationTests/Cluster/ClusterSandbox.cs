using System.Net.Http.Json;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Microsoft.Data.Sqlite;

namespace HomeSec.IntegrationTests.Cluster;

/// <summary>One node of a test cluster: where it listens, and the network namespace it runs in (null: this one).</summary>
public sealed record ClusterNode(string Name, string Host, int HealthPort, int RemotingPort, string? Namespace = null)
{
    /// <summary>Its own free port (the default, remoting + 1, may be another test's port).</summary>
    public int FramePort { get; init; } = DaemonProcess.FreeTcpPort();

    public string Address => $"akka.tcp://homesec@{Host}:{RemotingPort}";

    public Uri Url(string path) => new($"http://{Host}:{HealthPort}{path}");
}

/// <summary>
/// The files, configs and probes of a cluster spec: an NVR (a local_folder camera, the yolo filter with the red-patch
/// model, role nvr) and inference nodes (role inference, the same model, no cameras) as real daemon processes, clips
/// dropped into the camera's folder, completions read from the NVR's journal, and <c>/health</c> read over HTTP (from
/// inside a node's network namespace when it runs in one).
/// </summary>
public sealed class ClusterSandbox : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private int _clips;

    public ClusterSandbox() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"homesec-cluster-{Guid.NewGuid():N}");

    public string WatchDir => Path.Combine(Root, "incoming", "front_door");

    public string DatabaseFile => Path.Combine(Root, "nvr", "homesec.db");

    public static ClusterNode Loopback(string name) => new(name, "127.0.0.1", DaemonProcess.FreeTcpPort(), DaemonProcess.FreeTcpPort());

    /// <summary>A clip whose red box the model finds in every sampled frame (3 s at 10 fps).</summary>
    public async Task<string> MakeRedBoxClipAsync()
    {
        var clip = Path.Combine(Root, "red-box.mp4");
        await Ffmpeg.MakeClipAsync(clip, "color=c=0x404040:s=640x360:r=10:d=3[bg];color=c=red:s=80x160:r=10[box];[bg][box]overlay=x='40+40*t':y=100:shortest=1");
        Directory.CreateDirectory(WatchDir);
        return clip;
    }

    /// <summary>The household certificate, made the way a user makes it: <c>homesec cluster certificate create</c>.</summary>
    public async Task<string> CreateCertificateAsync(string name)
    {
        var path = Path.Combine(Root, name + ".pfx");
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(Root, "cluster", "certificate", "create", path);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"homesec cluster certificate create failed ({exitCode}): {output}");
        }

        return path;
    }

    public DaemonProcess Start(ClusterNode node, string config) =>
        node.Namespace is { } ns ? DaemonProcess.StartInNamespace(ns, Root, "run", "--config", config) : DaemonProcess.Start(Root, "run", "--config", config);

    /// <summary>A node under the restart policy of the README's compose and unit files (exit code 75: started again).</summary>
    public RestartingDaemon StartRestarting(ClusterNode node, string config) => new(() => Start(node, config));

    public string WriteNvrConfig(ClusterNode nvr, string? certificate = null) => Write(nvr.Name, $"""
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
            root: {Path.Combine(Root, "storage")}
        state_store:
          backend: sqlite
          path: {DatabaseFile}
          local_state_dir: {Path.Combine(Root, "nvr", "state")}
        notifiers:
          - backend: log
            config:
              path: {Path.Combine(Root, "alerts.jsonl")}
        {Filter}
        concurrency:
          max_clips_in_flight: 4
          filter_workers: 2
        retry:
          backoff_s: 0.5
        health:
          host: {nvr.Host}
          port: {nvr.HealthPort}
        cluster:
          enabled: true
          roles: [nvr]
          hostname: {nvr.Host}
          port: {nvr.RemotingPort}
          frame_port: {nvr.FramePort}
        {Tls(certificate)}
        """);

    /// <param name="joinTimeoutSeconds">cluster.join_timeout_s; null: the default.</param>
    public string WriteInferenceConfig(ClusterNode node, ClusterNode seed, string? certificate = null, double? joinTimeoutSeconds = null) => Write(node.Name, $"""
        storage:
          backend: local
          config:
            root: {Path.Combine(Root, node.Name, "storage")}
        state_store:
          backend: sqlite
          path: {Path.Combine(Root, node.Name, "homesec.db")}
          local_state_dir: {Path.Combine(Root, node.Name, "state")}
        {Filter}
        health:
          host: {node.Host}
          port: {node.HealthPort}
        cluster:
          enabled: true
          roles: [inference]
          hostname: {node.Host}
          port: {node.RemotingPort}
          frame_port: {node.FramePort}
          seed_nodes: ['{seed.Host}:{seed.RemotingPort}']
        {(joinTimeoutSeconds is { } seconds ? FormattableString.Invariant($"  join_timeout_s: {seconds}") : "")}
        {Tls(certificate)}
        """);

    public async Task DropClipsAsync(string source, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var name = $"clip-{++_clips:D3}.mp4";
            var staging = Path.Combine(Root, name + ".partial");
            File.Copy(source, staging);
            File.Move(staging, Path.Combine(WatchDir, name));
            await Task.Yield();
        }
    }

    /// <summary>Clips with a durable <c>clip_completed</c> in the NVR's journal.</summary>
    public int Completed()
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

    public Task WaitForCompletedAsync(IDaemon nvr, int count) =>
        Eventually.WaitForAsync(() => Completed() >= count, Patience, $"{count} completed clips", () => nvr.Output);

    /// <summary>Frames the node's own inference pool has run.</summary>
    public static long Frames(JsonElement health) =>
        health.GetProperty("inference").TryGetProperty("frames", out var frames) ? frames.GetInt64() : 0;

    public async Task WaitForReadyInferenceNodeAsync(ClusterNode nvr, IDaemon nvrProcess, IDaemon inference) =>
        await Eventually.WaitForAsync(async () =>
        {
            if (nvrProcess.HasExited || inference.HasExited)
            {
                throw new InvalidOperationException($"a node exited before the cluster was ready:{Environment.NewLine}{nvrProcess.Output}" +
                    $"{Environment.NewLine}--- inference node ---{Environment.NewLine}{inference.Output}");
            }

            var health = await TryGetAsync(nvr, "/health");
            return health is { } h && h.GetProperty("inference").TryGetProperty("routing", out var routing) && routing.ValueKind == JsonValueKind.Object
                && routing.GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("ready").GetBoolean())
                ? new Box<bool>(true)
                : null;
        }, Patience, "the NVR routing to a ready inference node",
            () => nvrProcess.Output + Environment.NewLine + "--- inference node ---" + Environment.NewLine + inference.Output);

    public async Task<JsonElement> HealthAsync(ClusterNode node, IDaemon daemon) =>
        (await Eventually.WaitForAsync(async () => await TryGetAsync(node, "/health") is { } health && health.TryGetProperty("inference", out _)
            ? new Box<JsonElement>(health)
            : null, Patience, $"/health of {node.Name}", () => daemon.Output)).Value;

    /// <summary>A JSON answer of the node's health port, or null while it does not answer.</summary>
    public async Task<JsonElement?> TryGetAsync(ClusterNode node, string path)
    {
        try
        {
            if (node.Namespace is { } ns)
            {
                var (exitCode, output) = await NetworkNamespacePair.RunInAsync(ns, "curl", "-s", "--max-time", "5", node.Url(path).ToString());
                return exitCode == 0 && output.Length > 0 ? JsonSerializer.Deserialize<JsonElement>(output) : null;
            }

            using var response = await _http.GetAsync(node.Url(path));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.ValueKind == JsonValueKind.Object ? body : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Root, recursive: true);
    }

    private static string Tls(string? certificate) => certificate is null ? "" : $"  tls: {{certificate_path: '{certificate}'}}";

    private static string Filter => $"""
        filter:
          backend: yolo
          trigger_classes: [person]
          config:
            model_path: {RepoPaths.Model("red_patch_detector.onnx")}
            sample_fps: 5
            early_exit: false
            execution_provider: cpu
            threads: 1
        """;

    private string Write(string node, string yaml)
    {
        var path = Path.Combine(Root, node + ".yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private sealed record Box<T>(T Value);
}
