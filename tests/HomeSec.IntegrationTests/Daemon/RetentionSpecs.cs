using System.Diagnostics;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// Retention in the running daemon, on real files: back-dated clips past local.max_days are deleted (checked by id),
/// recent ones and ones not stored yet stay; a tiny tmpfs below min_free_gb has exactly the oldest clips removed.
/// </summary>
public sealed class RetentionSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;
    private string? _mounted;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox();
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip, seconds: 3, width: 640, height: 480);
    }

    [Fact]
    public async Task Should_delete_exactly_the_stored_clips_past_max_days_and_keep_recent_clips_and_clips_not_stored_yet()
    {
        // Given two back-dated clips and a recent one, stored and done
        string[] old;
        string recent;
        await using (var first = _sandbox.StartDaemon())
        {
            old = [.. await _sandbox.DropClipsAsync(_clip, 2)];
            recent = DropRecentClip("recent.mp4");
            await _sandbox.WaitForAlertedClipsAsync(first, 3);
            await WaitForStatusAsync(first, old.Append(recent), "done");
            Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        // ... and a back-dated clip that cannot be stored (a file where the camera's storage folder should be)
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.StorageDir)!);
        Directory.Move(_sandbox.StorageDir, _sandbox.StorageDir + ".moved");
        await File.WriteAllTextAsync(_sandbox.StorageDir, "not a folder");
        var pending = (await _sandbox.DropClipsAsync(_clip, 1))[0];
        _sandbox.EditConfig(c => c + """

            retention:
              check_interval_s: 1
              local:
                max_days: 30
            """);

        // When the daemon runs with retention
        await using var daemon = _sandbox.StartDaemon();
        await Eventually.WaitForAsync(() => old.All(name => !File.Exists(Path.Combine(_sandbox.WatchDir, name))), Patience,
            "the back-dated stored clips deleted", () => daemon.Output);
        var passed = await LastPassAsync(daemon, _ => true);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 4); // the unstored clip went through its upload retry budget
        await LastPassAsync(daemon, at => at > passed.AddSeconds(1.5));

        // Then exactly those two, by id, recorded as clip_deleted (local, age); the recent and the unstored clip stay
        var states = ClipStates();
        Assert.True(File.Exists(Path.Combine(_sandbox.WatchDir, recent)), "the recent clip must stay");
        Assert.True(File.Exists(Path.Combine(_sandbox.WatchDir, pending)), "a clip not stored yet must stay");
        var deleted = states.Values.Where(s => s.TryGetProperty("local_deleted", out var d) && d.GetBoolean()).Select(s => s.GetProperty("local_path").GetString()!).ToList();
        Assert.Equal(old.Select(name => Path.Combine(_sandbox.WatchDir, name)).Order(StringComparer.Ordinal), deleted.Order(StringComparer.Ordinal));
        Assert.All(states.Values.Where(s => deleted.Contains(s.GetProperty("local_path").GetString()!)), s =>
        {
            Assert.Equal("done", s.GetProperty("status").GetString()); // the stored copy is still there
            Assert.Equal("age", s.GetProperty("deleted_reason").GetString());
        });
        var events = _sandbox.ClipEvents();
        Assert.Equal(2, events.Values.Sum(e => e.Count(x => x.EventType == "clip_deleted")));
        Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Should_delete_the_oldest_stored_clips_until_the_floor_is_regained_when_a_tiny_disk_fills()
    {
        // Given the watched folder on an 8 MiB tmpfs, four stored clips
        Assert.True(Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", _sandbox.WatchDir) == 0, "mounting a tmpfs needs root (CI runs as root)");
        _mounted = _sandbox.WatchDir;
        const double floorGb = 4.0 / 1024; // 4 MiB
        _sandbox.EditConfig(c => c + $"""

            retention:
              check_interval_s: 3600
              floor_check_interval_s: 1
              min_free_gb: {floorGb.ToString(System.Globalization.CultureInfo.InvariantCulture)}
              critical_free_gb: 0.0001
            """);
        await using var daemon = _sandbox.StartDaemon();
        var names = await _sandbox.DropClipsAsync(_clip, 4);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 4);
        await WaitForStatusAsync(daemon, names, "done");
        var sizes = names.Select(n => new FileInfo(Path.Combine(_sandbox.WatchDir, n)).Length).ToList();

        // When a filler leaves less than the floor: deleting the two oldest clips is enough, one is not
        var floor = (long)(floorGb * (1L << 30));
        var wantedFree = floor - sizes[0] - sizes[1] + (sizes[1] / 2);
        var filler = new DriveInfo(_sandbox.WatchDir).AvailableFreeSpace - wantedFree;
        await File.WriteAllBytesAsync(Path.Combine(_sandbox.WatchDir, "filler.bin"), new byte[filler / 4096 * 4096]);

        // Then exactly the two oldest go, and /health shows the volume back above its floor
        await Eventually.WaitForAsync(() => !File.Exists(Path.Combine(_sandbox.WatchDir, names[0])) && !File.Exists(Path.Combine(_sandbox.WatchDir, names[1])),
            Patience, "the two oldest clips deleted", () => daemon.Output);
        var health = await _sandbox.WaitForHealthAsync(daemon, h => h.TryGetProperty("disk", out var d) && !d.GetProperty("below_floor").GetBoolean()
            && d.GetProperty("volumes").EnumerateArray().Any(v => v.GetProperty("mount_point").GetString() == _sandbox.WatchDir), "the floor regained in /health");
        await LastPassAsync(daemon, _ => true);
        Assert.True(File.Exists(Path.Combine(_sandbox.WatchDir, names[2])), "the third clip must stay");
        Assert.True(File.Exists(Path.Combine(_sandbox.WatchDir, names[3])), "the newest clip must stay");
        Assert.Equal(2, health.GetProperty("disk").GetProperty("deleted").GetProperty("floor").GetInt64());
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{_sandbox.HealthPort}/metrics"));
        Assert.Contains("homesec_retention_deleted_total{reason=\"floor\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains($"homesec_disk_free_bytes{{mount_point=\"{_sandbox.WatchDir}\"}}", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE homesec_local_clip_bytes gauge", metrics, StringComparison.Ordinal);
        Assert.All(ClipStates().Values.Where(s => s.TryGetProperty("local_deleted", out var d) && d.GetBoolean()),
            s => Assert.Equal("floor", s.GetProperty("deleted_reason").GetString()));
        Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Should_take_the_oldest_clip_waiting_for_storage_through_its_supervisor_only_below_the_critical_floor()
    {
        // Given storage that cannot be written, the watched folder on an 8 MiB tmpfs, two clips alerted and waiting for storage
        Assert.True(Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", _sandbox.WatchDir) == 0, "mounting a tmpfs needs root (CI runs as root)");
        _mounted = _sandbox.WatchDir;
        Directory.CreateDirectory(Path.GetDirectoryName(_sandbox.StorageDir)!);
        await File.WriteAllTextAsync(_sandbox.StorageDir, "not a folder");
        const double floorGb = 4.0 / 1024;
        _sandbox.EditConfig(c => c + $"""

            retention:
              check_interval_s: 3600
              floor_check_interval_s: 1
              min_free_gb: {floorGb.ToString(System.Globalization.CultureInfo.InvariantCulture)}
              critical_free_gb: {floorGb.ToString(System.Globalization.CultureInfo.InvariantCulture)}
            """);
        await using var daemon = _sandbox.StartDaemon();
        var names = await _sandbox.DropClipsAsync(_clip, 2);
        await _sandbox.WaitForAlertedClipsAsync(daemon, 2);
        await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("clips").GetProperty("waiting_for_storage").GetInt32() == 2, "both clips waiting for storage");
        await Eventually.WaitForAsync(() => names.All(n => ClipStates().ContainsKey(Path.Combine(_sandbox.WatchDir, n))), Patience, "both clips in clip_states", () => daemon.Output);
        var oldestId = ClipStates()[Path.Combine(_sandbox.WatchDir, names[0])].GetProperty("clip_id").GetString()!;
        var size = new FileInfo(Path.Combine(_sandbox.WatchDir, names[0])).Length;

        // When a filler leaves less than the critical floor: giving up the oldest clip is enough
        var floor = (long)(floorGb * (1L << 30));
        var filler = new DriveInfo(_sandbox.WatchDir).AvailableFreeSpace - (floor - (size / 2));
        await File.WriteAllBytesAsync(Path.Combine(_sandbox.WatchDir, "filler.bin"), new byte[filler / 4096 * 4096]);

        // Then exactly the oldest goes: recorded by its clip (deleted, floor_critical), marked done at its source, logged at Critical
        await Eventually.WaitForAsync(() => !File.Exists(Path.Combine(_sandbox.WatchDir, names[0])), Patience, "the oldest unstored clip deleted", () => daemon.Output);
        await Eventually.WaitForAsync(() => _sandbox.ManifestDone().Contains(oldestId), Patience, "the deleted clip marked done", () => daemon.Output);
        await Eventually.WaitForAsync(() => ClipStates()[Path.Combine(_sandbox.WatchDir, names[0])].GetProperty("status").GetString() == "deleted",
            Patience, "status deleted in clip_states", () => daemon.Output);
        await LastPassAsync(daemon, _ => true);
        var oldest = ClipStates()[Path.Combine(_sandbox.WatchDir, names[0])];
        Assert.Equal("floor_critical", oldest.GetProperty("deleted_reason").GetString());
        Assert.True(File.Exists(Path.Combine(_sandbox.WatchDir, names[1])), "the newer unstored clip must stay");
        Assert.Contains("crit: HomeSec.Retention", daemon.Output, StringComparison.Ordinal);
        var health = await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("clips").GetProperty("waiting_for_storage").GetInt32() == 1, "one clip still waiting");
        Assert.Equal(1, health.GetProperty("disk").GetProperty("deleted").GetProperty("floor_critical").GetInt64());
        Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    public Task DisposeAsync()
    {
        if (_mounted is not null)
        {
            Run("umount", "-l", _mounted);
        }

        _sandbox.Dispose();
        return Task.CompletedTask;
    }

    private string DropRecentClip(string name)
    {
        var staging = Path.Combine(_sandbox.Root, name + ".partial");
        File.Copy(_clip, staging);
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddMinutes(-5));
        File.Move(staging, Path.Combine(_sandbox.WatchDir, name));
        return name;
    }

    private Task WaitForStatusAsync(DaemonProcess daemon, IEnumerable<string> names, string status)
    {
        var paths = names.Select(n => Path.Combine(_sandbox.WatchDir, n)).ToList();
        return Eventually.WaitForAsync(() =>
        {
            var states = ClipStates();
            return paths.All(p => states.TryGetValue(p, out var s) && s.GetProperty("status").GetString() == status);
        }, Patience, $"{paths.Count} clip(s) {status} in clip_states", () => daemon.Output);
    }

    private async Task<DateTimeOffset> LastPassAsync(DaemonProcess daemon, Func<DateTimeOffset, bool> condition)
    {
        var health = await _sandbox.WaitForHealthAsync(daemon, h => h.TryGetProperty("disk", out var d)
            && d.GetProperty("last_retention_pass").ValueKind == JsonValueKind.String
            && condition(d.GetProperty("last_retention_pass").GetDateTimeOffset()), "a retention pass");
        return health.GetProperty("disk").GetProperty("last_retention_pass").GetDateTimeOffset();
    }

    /// <summary>clip_states rows by local path.</summary>
    private Dictionary<string, JsonElement> ClipStates() => ClipStatesTable.ByLocalPath(Path.Combine(_sandbox.Root, "homesec.db"));

    private static int Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
