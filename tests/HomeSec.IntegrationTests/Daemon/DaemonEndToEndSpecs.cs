using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>The daemon as users run it: a process on the embedded defaults, fed real MP4 files made by ffmpeg.</summary>
public sealed class DaemonEndToEndSpecs : IAsyncLifetime
{
    private DaemonSandbox _sandbox = null!;
    private string _clip = null!;

    public async Task InitializeAsync()
    {
        _sandbox = new DaemonSandbox();
        _clip = Path.Combine(_sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(_clip);
    }

    [Fact]
    public async Task Should_store_alert_and_journal_a_dropped_clip_and_not_process_it_again_when_the_daemon_restarts()
    {
        // Given
        string firstClipId;
        await using (var daemon = _sandbox.StartDaemon())
        {
            await _sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");

            // When
            var dropped = await _sandbox.DropClipsAsync(_clip, 1);
            await _sandbox.WaitForAlertedClipsAsync(daemon, 1);
            var alert = _sandbox.Alerts()[0];
            firstClipId = alert.GetProperty("clip_id").GetString()!;
            await Eventually.WaitForAsync(() => _sandbox.JournalManifests(firstClipId).Contains("clip_completed"), TimeSpan.FromSeconds(60),
                $"clip_completed of {firstClipId} in the journal", () => daemon.Output);

            // Then
            Assert.StartsWith("front_door-", firstClipId, StringComparison.Ordinal);
            Assert.Equal("front_door", alert.GetProperty("camera_name").GetString());
            Assert.False(alert.GetProperty("upload_failed").GetBoolean());
            Assert.Equal(firstClipId, alert.GetProperty("dedupe_key").GetString());
            var stored = Path.Combine(_sandbox.StorageDir, firstClipId + ".mp4");
            Assert.Equal(new Uri(stored).AbsoluteUri, alert.GetProperty("view_url").GetString());
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_sandbox.WatchDir, dropped[0])), await File.ReadAllBytesAsync(stored));
            var journal = _sandbox.JournalManifests(firstClipId);
            Assert.Equal(
                ["alert_decision_made", "clip_completed", "clip_recorded", "filter_completed", "filter_started", "notification_sent",
                 "upload_completed", "upload_started", "vlm_skipped"],
                journal.Order(StringComparer.Ordinal));
            Assert.Equal("clip_recorded", journal[0]);
            Assert.Equal("clip_completed", journal[^1]);
            Assert.True(journal.IndexOf("upload_completed") < journal.IndexOf("notification_sent"), "the alert waits for the upload");
            // The log line travels through the console logger's queue and the output pipe: it may come a moment later.
            await Eventually.WaitForAsync(() => daemon.Output.Contains("ALERT camera=front_door clip=" + firstClipId, StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), "the ALERT log line", () => daemon.Output);
            Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        // When the daemon starts again and a second clip arrives
        await using (var restarted = _sandbox.StartDaemon())
        {
            await _sandbox.WaitForHealthAsync(restarted, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy again");
            await _sandbox.DropClipsAsync(_clip, 1);
            await _sandbox.WaitForAlertedClipsAsync(restarted, 2);

            // Then the first clip was not processed again: one alert per clip, one journal stream each
            var clipIds = _sandbox.Alerts().Select(a => a.GetProperty("clip_id").GetString()).ToList();
            Assert.Equal(2, clipIds.Count);
            Assert.Equal(2, clipIds.Distinct().Count());
            Assert.Equal(firstClipId, clipIds[0]);
            Assert.Single(_sandbox.JournalManifests(firstClipId), m => m == "clip_recorded");
            Assert.Single(Directory.GetFiles(_sandbox.StorageDir, firstClipId + "*"));
            Assert.Equal(0, await restarted.TerminateAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task Should_print_every_config_error_and_exit_non_zero_when_validating_a_bad_config()
    {
        // Given
        _sandbox.EditConfig(yaml => yaml
            .Replace("max_clips_in_flight: 4", "max_clips_in_flight: lots", StringComparison.Ordinal)
            .Replace("min_risk_level: medium", "min_risk_level: severe", StringComparison.Ordinal)
            .Replace("backend: local", "backend: s3", StringComparison.Ordinal));

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "validate", "--config", _sandbox.ConfigFile);

        // Then
        Assert.Equal(1, exitCode);
        Assert.Contains("3 error(s)", output, StringComparison.Ordinal);
        Assert.Contains("concurrency.max_clips_in_flight: 'lots' is not allowed", output, StringComparison.Ordinal);
        Assert.Contains("alert_policy.config.min_risk_level: 'severe' is not a risk level; allowed: low, medium, high, critical", output, StringComparison.Ordinal);
        Assert.Contains("storage.backend: unknown storage plugin 's3'; available: dropbox, local", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_to_run_and_name_the_key_when_the_config_is_invalid()
    {
        // Given
        _sandbox.EditConfig(yaml => yaml.Replace("retry:", "retry:\n  jitter: 0.5", StringComparison.Ordinal));

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_sandbox.Root, "run", "--config", _sandbox.ConfigFile);

        // Then
        Assert.Equal(2, exitCode);
        Assert.Contains("retry.jitter: unknown key", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_describe_every_command_when_asked_for_help()
    {
        // Given
        string[][] commands = [["--help"], ["run", "--help"], ["validate", "--help"]];

        // When
        var results = new List<(int ExitCode, string Output)>();
        foreach (var command in commands)
        {
            results.Add(await DaemonProcess.RunToEndAsync(_sandbox.Root, command));
        }

        // Then
        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        Assert.Contains("run", results[0].Output, StringComparison.Ordinal);
        Assert.Contains("validate", results[0].Output, StringComparison.Ordinal);
        Assert.All(results.Skip(1), r => Assert.Contains("--config", r.Output, StringComparison.Ordinal));
    }

    public Task DisposeAsync()
    {
        _sandbox.Dispose();
        return Task.CompletedTask;
    }
}
