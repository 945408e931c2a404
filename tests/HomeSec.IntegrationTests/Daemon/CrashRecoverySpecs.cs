using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>kill -9 in the middle of a run, then a restart: nothing lost, nothing stored or alerted twice.</summary>
public sealed class CrashRecoverySpecs : IAsyncLifetime
{
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox(maxClipsInFlight: 1);
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip, seconds: 1);
    }

    [Fact]
    public async Task Should_store_every_clip_once_and_alert_it_at_most_once_when_the_daemon_is_killed_mid_run_and_restarted()
    {
        // Given
        const int clips = 120;
        await using (var first = _sandbox.StartDaemon())
        {
            await _sandbox.WaitForHealthAsync(first, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
            await _sandbox.DropClipsAsync(_clip, clips);
            await _sandbox.WaitForAlertedClipsAsync(first, 1);

            // When
            await first.KillAsync();
        }

        var alertedBeforeCrash = _sandbox.Alerts().Count;
        await using var second = _sandbox.StartDaemon();
        await _sandbox.WaitForAlertedClipsAsync(second, clips);

        // Then
        Assert.True(alertedBeforeCrash < clips, $"the crash came too late to test anything ({alertedBeforeCrash} alerts before it)");
        var alertedClipIds = _sandbox.Alerts().Select(a => a.GetProperty("clip_id").GetString()).ToList();
        Assert.Equal(alertedClipIds.Distinct().Count(), alertedClipIds.Count);
        Assert.Equal(clips, Directory.GetFiles(_sandbox.StorageDir, "*.mp4").Length);
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.GetDirectoryName(_sandbox.StorageDir)!, "*", SearchOption.AllDirectories), f => !f.EndsWith(".mp4", StringComparison.Ordinal));
    }

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }
}
