using System.Net.Http.Json;
using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>The daemon as users run it: a process on the embedded defaults, fed real MP4 files made by ffmpeg.</summary>
public sealed class DaemonEndToEndSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"homesec-e2e-{Guid.NewGuid():N}");
    private readonly int _healthPort = DaemonProcess.FreeTcpPort();

    public DaemonEndToEndSpecs() => Directory.CreateDirectory(_root);

    private string WatchDir => Path.Combine(_root, "incoming", "front_door");
    private string AlertsFile => Path.Combine(_root, "alerts.jsonl");
    private string DatabaseFile => Path.Combine(_root, "homesec.db");
    private string ConfigFile => Path.Combine(_root, "homesec.yaml");

    [Fact]
    public async Task Should_store_alert_and_journal_a_dropped_clip_and_not_process_it_again_when_the_daemon_restarts()
    {
        // Given
        await File.WriteAllTextAsync(ConfigFile, Config());
        var firstClip = await MakeClipAsync("first.mp4");
        string firstClipId;
        await using (var daemon = DaemonProcess.Start(_root, "run", "--config", ConfigFile))
        {
            await WaitUntilHealthyAsync(daemon);

            // When
            DropIntoWatchFolder(firstClip);
            var alert = await WaitForAlertsAsync(daemon, count: 1);
            firstClipId = alert[0].GetProperty("clip_id").GetString()!;
            await WaitForJournalAsync(daemon, firstClipId, "clip_completed");

            // Then
            Assert.StartsWith("front_door-", firstClipId, StringComparison.Ordinal);
            Assert.Equal("front_door", alert[0].GetProperty("camera_name").GetString());
            Assert.False(alert[0].GetProperty("upload_failed").GetBoolean());
            Assert.Equal(firstClipId, alert[0].GetProperty("dedupe_key").GetString());
            var stored = Path.Combine(_root, "storage", "front_door", firstClipId + ".mp4");
            Assert.Equal(new Uri(stored).AbsoluteUri, alert[0].GetProperty("view_url").GetString());
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(WatchDir, "first.mp4")), await File.ReadAllBytesAsync(stored));
            var journal = JournalManifests(firstClipId);
            Assert.Equal(
                ["alert_decision_made", "clip_completed", "clip_recorded", "filter_completed", "filter_started", "notification_sent",
                 "upload_completed", "upload_started", "vlm_skipped"],
                journal.Order(StringComparer.Ordinal));
            Assert.Equal("clip_recorded", journal[0]);
            Assert.Equal("clip_completed", journal[^1]);
            Assert.True(journal.IndexOf("upload_completed") < journal.IndexOf("notification_sent"), "the alert waits for the upload");
            Assert.Contains("ALERT camera=front_door clip=" + firstClipId, daemon.Output, StringComparison.Ordinal);
            Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        // When the daemon starts again and a second clip arrives
        await using (var restarted = DaemonProcess.Start(_root, "run", "--config", ConfigFile))
        {
            await WaitUntilHealthyAsync(restarted);
            DropIntoWatchFolder(await MakeClipAsync("second.mp4"));
            var alerts = await WaitForAlertsAsync(restarted, count: 2);

            // Then the first clip was not processed again: one alert per clip, one journal stream each
            var clipIds = alerts.Select(a => a.GetProperty("clip_id").GetString()).ToList();
            Assert.Equal(2, clipIds.Distinct().Count());
            Assert.Equal(firstClipId, clipIds[0]);
            Assert.Single(JournalManifests(firstClipId), m => m == "clip_recorded");
            Assert.Single(Directory.GetFiles(Path.Combine(_root, "storage", "front_door"), firstClipId + "*"));
            Assert.Equal(0, await restarted.TerminateAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task Should_print_every_config_error_and_exit_non_zero_when_validating_a_bad_config()
    {
        // Given
        await File.WriteAllTextAsync(ConfigFile, Config()
            .Replace("max_clips_in_flight: 4", "max_clips_in_flight: lots", StringComparison.Ordinal)
            .Replace("min_risk_level: medium", "min_risk_level: severe", StringComparison.Ordinal)
            .Replace("backend: local", "backend: s3", StringComparison.Ordinal));

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_root, "validate", "--config", ConfigFile);

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
        await File.WriteAllTextAsync(ConfigFile, Config().Replace("retry:", "retry:\n  jitter: 0.5", StringComparison.Ordinal));

        // When
        var (exitCode, output) = await DaemonProcess.RunToEndAsync(_root, "run", "--config", ConfigFile);

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
            results.Add(await DaemonProcess.RunToEndAsync(_root, command));
        }

        // Then
        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        Assert.Contains("run", results[0].Output, StringComparison.Ordinal);
        Assert.Contains("validate", results[0].Output, StringComparison.Ordinal);
        Assert.All(results.Skip(1), r => Assert.Contains("--config", r.Output, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private string Config() => $"""
        cameras:
          - name: front_door
            source:
              type: local_folder
              config:
                watch_dir: {WatchDir}
                poll_interval_s: 0.2
                stability_threshold_s: 0.5
        storage:
          backend: local
          config:
            root: {Path.Combine(_root, "storage")}
        state_store:
          backend: sqlite
          path: {DatabaseFile}
        notifiers:
          - backend: log
            config:
              path: {AlertsFile}
        alert_policy:
          backend: default
          config:
            min_risk_level: medium
            notify_on_motion: true
        concurrency:
          max_clips_in_flight: 4
        retry:
          max_attempts: 3
          backoff_s: 0.2
        health:
          host: 127.0.0.1
          port: {_healthPort}
        """;

    private async Task<string> MakeClipAsync(string name)
    {
        var staging = Path.Combine(_root, "staging");
        Directory.CreateDirectory(staging);
        var path = Path.Combine(staging, name);
        await Ffmpeg.MakeTestClipAsync(path);
        return path;
    }

    /// <summary>Renames into the folder, as a camera's uploader finishing a file would.</summary>
    private void DropIntoWatchFolder(string clip)
    {
        Directory.CreateDirectory(WatchDir);
        File.Move(clip, Path.Combine(WatchDir, Path.GetFileName(clip)));
    }

    private async Task WaitUntilHealthyAsync(DaemonProcess daemon)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.WaitForAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{_healthPort}/health"));
                if (!response.IsSuccessStatusCode)
                {
                    return null;
                }

                var health = await response.Content.ReadFromJsonAsync<JsonElement>();
                return health.GetProperty("sources").GetProperty("front_door").GetProperty("healthy").GetBoolean() ? "healthy" : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, Patience, "/health to report the camera healthy", () => daemon.Output);
    }

    private async Task<List<JsonElement>> WaitForAlertsAsync(DaemonProcess daemon, int count) =>
        await Eventually.WaitForAsync(async () =>
        {
            if (!File.Exists(AlertsFile))
            {
                return null;
            }

            var lines = (await File.ReadAllLinesAsync(AlertsFile)).Where(l => l.Length > 0).ToList();
            return lines.Count >= count ? lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList() : null;
        }, Patience, $"{count} alert(s) in {AlertsFile}", () => daemon.Output);

    private Task WaitForJournalAsync(DaemonProcess daemon, string clipId, string manifest) =>
        Eventually.WaitForAsync(() => JournalManifests(clipId).Contains(manifest), Patience, $"{manifest} of {clipId} in the journal", () => daemon.Output);

    private List<string> JournalManifests(string clipId)
    {
        using var connection = new SqliteConnection($"Data Source={DatabaseFile};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return [];
        }

        command.CommandText = "SELECT manifest FROM journal WHERE persistence_id = $id ORDER BY sequence_number";
        command.Parameters.AddWithValue("$id", "clip-" + clipId);
        using var reader = command.ExecuteReader();
        var manifests = new List<string>();
        while (reader.Read())
        {
            manifests.Add(reader.GetString(0));
        }

        return manifests;
    }
}
