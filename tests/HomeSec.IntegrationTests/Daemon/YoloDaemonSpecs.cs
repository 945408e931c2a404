using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>The daemon with the yolo filter on the committed red-patch test model: a real clip goes through ffmpeg, the inference pool and ONNX Runtime.</summary>
public sealed class YoloDaemonSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"homesec-yolo-{Guid.NewGuid():N}");
    private readonly int _healthPort = DaemonProcess.FreeTcpPort();

    public YoloDaemonSpecs() => Directory.CreateDirectory(_root);

    private string WatchDir => Path.Combine(_root, "incoming", "front_door");

    private string DatabaseFile => Path.Combine(_root, "homesec.db");

    private string ConfigFile => Path.Combine(_root, "homesec.yaml");

    [Fact]
    public async Task Should_record_the_person_and_its_boxes_and_show_the_provider_in_health_when_a_red_box_clip_arrives()
    {
        // Given
        await File.WriteAllTextAsync(ConfigFile, Config());
        var clip = Path.Combine(_root, "red-box.mp4");
        await MakeRedBoxClipAsync(clip);
        await using var daemon = DaemonProcess.Start(_root, "run", "--config", ConfigFile);
        var health = await HealthAsync(daemon, h => h.TryGetProperty("inference", out var i) && i.GetProperty("enabled").GetBoolean());

        // When
        Directory.CreateDirectory(WatchDir);
        File.Move(clip, Path.Combine(WatchDir, "red-box.mp4"));
        var filter = (await Eventually.WaitForAsync(() => Task.FromResult(FilterResultInClipStates()), Patience, "a filter result in clip_states", () => daemon.Output)).Value;

        // Then
        Assert.Equal("cpu", health.GetProperty("inference").GetProperty("execution_provider").GetString());
        Assert.Equal("red_patch_detector", health.GetProperty("inference").GetProperty("model").GetString());
        Assert.Equal("person", filter.GetProperty("detected_classes")[0].GetString());
        Assert.Equal("red_patch_detector", filter.GetProperty("model").GetString());
        var box = filter.GetProperty("frames")[0].GetProperty("boxes")[0];
        Assert.InRange(box.GetProperty("x1").GetDouble(), 76, 84);
        Assert.InRange(box.GetProperty("y2").GetDouble(), 516, 524);
        Assert.Contains("execution provider cpu", daemon.Output, StringComparison.Ordinal);
        var snapshot = filter.GetProperty("snapshot");
        var snapshotFile = snapshot.GetProperty("local_path").GetString()!;
        Assert.Equal(Path.Combine(WatchDir, ".homesec", "snapshots"), Path.GetDirectoryName(snapshotFile));
        var jpeg = await File.ReadAllBytesAsync(snapshotFile);
        Assert.Equal([0xFF, 0xD8], jpeg[..2]); // a JPEG
        var stored = Directory.GetFiles(Path.Combine(_root, "storage", "front_door"), "*.snapshot.jpg");
        Assert.Equal(jpeg, await File.ReadAllBytesAsync(Assert.Single(stored)));
        Assert.StartsWith("local://front_door/", snapshot.GetProperty("storage_uri").GetString(), StringComparison.Ordinal);
        // The box is drawn (yellow) on the detection's left edge, over the red object: red and green both high there.
        var drawnBox = filter.GetProperty("frames").EnumerateArray().SelectMany(f => f.GetProperty("boxes").EnumerateArray()).MaxBy(b => b.GetProperty("confidence").GetDouble());
        var (r, g, _) = await PixelAsync(snapshotFile, (int)drawnBox.GetProperty("x1").GetDouble() + 1, (int)drawnBox.GetProperty("y1").GetDouble() + 40);
        Assert.True(r > 150 && g > 150, $"expected the yellow box edge, got r={r} g={g}");
        Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Should_refuse_to_start_and_name_the_key_when_the_model_file_is_missing()
    {
        // Given
        await File.WriteAllTextAsync(ConfigFile, Config().Replace(ModelPath, "/nowhere/yolov8n.onnx", StringComparison.Ordinal));

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_root, "validate", "--config", ConfigFile);

        // Then
        Assert.NotEqual(0, exitCode);
        Assert.Contains("filter.config.model_path: model file '/nowhere/yolov8n.onnx' does not exist", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static string ModelPath => RepoPaths.Model("red_patch_detector.onnx");

    private string Config() => $"""
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
          local_state_dir: {Path.Combine(_root, "state")}
        notifiers:
          - backend: log
        filter:
          backend: yolo
          trigger_classes: [person]
          config:
            model_path: {ModelPath}
            sample_fps: 2
            execution_provider: auto
            threads: 1
        health:
          host: 127.0.0.1
          port: {_healthPort}
        """;

    private Found? FilterResultInClipStates() =>
        ClipStatesTable.Read(DatabaseFile)
            .Where(data => data.TryGetProperty("filter", out var filter) && filter.ValueKind == JsonValueKind.Object)
            .Select(data => new Found(data.GetProperty("filter")))
            .FirstOrDefault();

    private async Task<JsonElement> HealthAsync(DaemonProcess daemon, Func<JsonElement, bool> condition)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return (await Eventually.WaitForAsync(async () =>
        {
            try
            {
                var health = await http.GetFromJsonAsync<JsonElement>(new Uri($"http://127.0.0.1:{_healthPort}/health"));
                return health.ValueKind == JsonValueKind.Object && condition(health) ? new Found(health) : null;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                return null;
            }
        }, Patience, "/health with the inference pool", () => daemon.Output)).Value;
    }

    private sealed record Found(JsonElement Value);

    private static async Task<(int R, int G, int B)> PixelAsync(string jpeg, int x, int y)
    {
        var startInfo = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-hide_banner", "-loglevel", "error", "-i", jpeg, "-vf", $"format=rgb24,crop=1:1:{x}:{y}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        using var pixel = new MemoryStream();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(pixel);
        await process.WaitForExitAsync();
        var rgb = pixel.ToArray();
        Assert.True(rgb.Length == 3, $"ffmpeg read no pixel at {x},{y} of {jpeg}: {await errors}");
        return (rgb[0], rgb[1], rgb[2]);
    }

    private static Task MakeRedBoxClipAsync(string path) =>
        Ffmpeg.MakeClipAsync(path, "color=c=0x404040:s=1280x720:r=10:d=2[bg];color=c=red:s=160x320:r=10[box];[bg][box]overlay=x='80+80*t':y=200:shortest=1");
}
