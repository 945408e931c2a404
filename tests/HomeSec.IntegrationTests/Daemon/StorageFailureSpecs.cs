using System.Diagnostics;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// Uploading is P0: a storage root that is full (a tiny tmpfs, as root) or cannot be written (a file where the
/// camera's folder must go) keeps its clips pending — alerted with upload_failed, retried with backoff, also
/// across a restart — and /health names the problem; once storage is fixed every clip is stored and done.
/// </summary>
public sealed class StorageFailureSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly DaemonSandbox _sandbox = new();
    private string? _mounted;

    public static TheoryData<string> Faults => new() { "full", "not_writable" };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Should_retry_every_upload_until_stored_and_report_storage_degraded_meanwhile_when_storage_fails_and_is_fixed(string fault)
    {
        // Given
        const int clips = 3;
        _sandbox.EditConfig(c => c.Replace("  backoff_s: 0.2", "  backoff_s: 0.2\n  max_backoff_s: 1", StringComparison.Ordinal));
        var clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(clip, seconds: 1);
        var fix = Break(fault);

        // When
        await using (var first = _sandbox.StartDaemon())
        {
            await _sandbox.WaitForHealthAsync(first, h => h.GetProperty("state_store").GetProperty("mode").GetString() == "online", "the journal online");
            await _sandbox.DropClipsAsync(clip, clips);
            await _sandbox.WaitForAlertedClipsAsync(first, clips);
            var degraded = await _sandbox.WaitForHealthAsync(first, h => !h.GetProperty("storage").GetProperty("healthy").GetBoolean(), "storage degraded");

            // Then (while broken)
            output.WriteLine(degraded.GetProperty("storage").ToString());
            Assert.Equal("degraded", degraded.GetProperty("status").GetString());
            Assert.Equal(fault == "full" ? "disk_full" : "other", degraded.GetProperty("storage").GetProperty("last_error_kind").GetString());
            Assert.All(_sandbox.Alerts(), a => Assert.True(a.GetProperty("upload_failed").GetBoolean()));
            Assert.Equal(0, first.HasExited ? -1 : await first.TerminateAsync(TimeSpan.FromSeconds(40)));
        }

        await using var second = _sandbox.StartDaemon();
        await _sandbox.WaitForHealthAsync(second, h => h.GetProperty("clips").GetProperty("waiting_for_storage").GetInt32() + h.GetProperty("clips").GetProperty("in_flight").GetInt32() == clips,
            "the resumed clips waiting for storage");
        fix();
        await _sandbox.WaitForHealthAsync(second, h => h.GetProperty("status").GetString() == "ok" && h.GetProperty("clips").GetProperty("waiting_for_storage").GetInt32() == 0, "storage healthy again");
        await Eventually.WaitForAsync(() => _sandbox.ManifestDone().Count == clips, TimeSpan.FromSeconds(30), "every clip marked done", () => second.Output);

        // Then (fixed)
        Assert.Equal(clips, Directory.GetFiles(_sandbox.StorageDir, "*.mp4").Length);
        Assert.Equal(clips, _sandbox.Alerts().Select(a => a.GetProperty("clip_id").GetString()).Distinct().Count());
        Assert.Equal(clips, _sandbox.JournalCompleted().Count);
        Assert.Equal(clips, Directory.GetFiles(_sandbox.WatchDir, "*.mp4").Length);
    }

    public void Dispose()
    {
        if (_mounted is not null)
        {
            Run("umount", "-l", _mounted);
        }

        _sandbox.Dispose();
    }

    /// <summary>Breaks storage the given way; returns what fixes it.</summary>
    private Action Break(string fault)
    {
        var storageRoot = Path.GetDirectoryName(_sandbox.StorageDir)!;
        Directory.CreateDirectory(storageRoot);
        if (fault == "full")
        {
            Assert.True(Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", storageRoot) == 0, "mounting a tmpfs needs root (CI runs as root)");
            _mounted = storageRoot;
            var filler = Path.Combine(storageRoot, "filler");
            try
            {
                File.WriteAllBytes(filler, new byte[2 * 1024 * 1024]);
            }
            catch (IOException)
            {
                // full now: that is the point
            }

            return () => File.Delete(filler);
        }

        File.WriteAllText(_sandbox.StorageDir, "a file where the camera's storage folder should be");
        return () => File.Delete(_sandbox.StorageDir);
    }

    private static int Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
