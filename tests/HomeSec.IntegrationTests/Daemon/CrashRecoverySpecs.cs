using System.Text.Json;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// kill -9 three times at varied moments of a burst, restarting each time, on both state stores: every clip is
/// stored, finished exactly once with its whole history, and alerted at least once; duplicates only from the
/// clips in flight at the crashes. The moments come from a seeded random source (printed, and settable through
/// HOMESEC_CRASH_SEED to replay a run): a delay after the start, a number of alerts, a delay again.
/// </summary>
public sealed class CrashRecoverySpecs(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>, IDisposable
{
    private const int MaxClipsInFlight = 4;
    private readonly List<DaemonSandbox> _sandboxes = [];

    public static TheoryData<string> Backends => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Should_finish_every_clip_once_and_alert_it_at_least_once_when_the_daemon_is_killed_three_times_mid_burst(string backend)
    {
        // Given
        const int clips = 30;
        var seed = int.TryParse(System.Environment.GetEnvironmentVariable("HOMESEC_CRASH_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        var random = new Random(seed);
        output.WriteLine($"HOMESEC_CRASH_SEED={seed}");
        var sandbox = await SandboxAsync(backend);
        var clip = Path.Combine(sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(clip, seconds: 1);
        var crashes = new List<string>();

        // When
        var droppedSoFar = 0;
        var outputs = new List<string>();
        var unfinishedAtCrashes = new List<int>();
        for (var crash = 0; crash < 3; crash++)
        {
            await using var daemon = sandbox.StartDaemon();
            await sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("state_store").GetProperty("mode").GetString() == "online", "the journal online");
            if (crash == 0)
            {
                // An empty database: the repository creates the schema once, nothing races it into an "unreachable".
                Assert.DoesNotContain("unreachable", daemon.Output, StringComparison.OrdinalIgnoreCase);
            }

            await sandbox.DropClipsAsync(clip, clips / 3);
            droppedSoFar += clips / 3;
            var alertedBefore = DistinctAlerted(sandbox);
            if (crash == 1)
            {
                var target = alertedBefore + 1 + random.Next(clips / 3 - 1);
                await sandbox.WaitForAlertedClipsAsync(daemon, target);
                crashes.Add($"after {target} alerted clips");
            }
            else
            {
                var delay = TimeSpan.FromMilliseconds(crash == 0 ? random.Next(0, 400) : random.Next(100, 700));
                await Task.Delay(delay);
                crashes.Add($"{delay.TotalMilliseconds} ms after a wave of {clips / 3} clips");
            }

            await daemon.KillAsync();
            outputs.Add(daemon.Output);
            var markedDone = sandbox.ManifestDone();
            unfinishedAtCrashes.Add(droppedSoFar - markedDone.Count);

            // The durability contract, checked at the moment of each crash: a clip its source marked done has its
            // clip_completed (and so every event before it) in the journal.
            var completedInJournal = sandbox.JournalCompleted();
            Assert.True(markedDone.IsSubsetOf(completedInJournal),
                $"marked done but not completed in the journal at crash {crash + 1}: {string.Join(", ", markedDone.Except(completedInJournal))} (seed {seed})");
        }

        output.WriteLine($"clips not marked done at each crash: {string.Join(", ", unfinishedAtCrashes)}");
        Assert.True(unfinishedAtCrashes.Count(u => u > 0) >= 2,
            $"the crashes came too late to test anything: unfinished clips at them {string.Join(", ", unfinishedAtCrashes)} (seed {seed})");

        await using (var last = sandbox.StartDaemon())
        {
            await sandbox.WaitForAlertedClipsAsync(last, clips);
            await Eventually.WaitForAsync(() => Completed(sandbox).Count == clips, TimeSpan.FromSeconds(90),
                $"clip_completed of all {clips} clips in clip_events (crashes: {string.Join("; ", crashes)}, seed {seed})", () => last.Output);
            var listed = await sandbox.RunCliAsync("clips", "list", "--json", "--limit", "1000");

            // Then
            var context = $"seed {seed}, crashes: {string.Join("; ", crashes)}";
            Assert.True(listed.ExitCode == 0, listed.Output);
            var states = listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(clips, states.Count);
            Assert.All(states, s => Assert.Equal("done", s.GetProperty("status").GetString()));
            Assert.Equal(clips, Directory.GetFiles(sandbox.StorageDir, "*.mp4").Length);
            var history = sandbox.ClipEvents();
            foreach (var (clipId, events) in history)
            {
                var types = events.Select(e => e.EventType).ToList();
                foreach (var required in new[] { "clip_recorded", "upload_completed", "filter_completed", "alert_decision_made", "notification_sent" })
                {
                    Assert.True(types.Contains(required), $"{clipId} has no {required}: {string.Join(", ", types)} ({context})");
                }

                Assert.True(types.Count(t => t == "clip_completed") == 1,
                    $"{clipId} completed {types.Count(t => t == "clip_completed")} times ({context}): {string.Join(", ", types)}{System.Environment.NewLine}"
                    + string.Join(System.Environment.NewLine, outputs.Append(last.Output).SelectMany((o, run) =>
                        o.Split('\n').Where(l => l.Contains(clipId, StringComparison.Ordinal) || l.Contains("history", StringComparison.OrdinalIgnoreCase)).Select(l => $"run {run + 1}: {l}")).Take(40)));
                Assert.Equal("clip_completed", types[^1]);
            }

            var alerts = sandbox.Alerts().Select(a => a.GetProperty("clip_id").GetString()).ToList();
            var duplicates = alerts.Count - alerts.Distinct().Count();
            output.WriteLine($"{backend}: {alerts.Count} alerts for {clips} clips ({duplicates} duplicates); crashes: {string.Join("; ", crashes)}");
            Assert.Equal(clips, alerts.Distinct().Count());
            Assert.True(duplicates <= 3 * MaxClipsInFlight, $"{duplicates} duplicate alerts, more than the {3 * MaxClipsInFlight} clips in flight at three crashes ({context})");
        }
    }

    public void Dispose()
    {
        foreach (var sandbox in _sandboxes)
        {
            sandbox.Dispose();
        }
    }

    private static int DistinctAlerted(DaemonSandbox sandbox) => sandbox.Alerts().Select(a => a.GetProperty("clip_id").GetString()).Distinct().Count();

    private static List<string> Completed(DaemonSandbox sandbox) =>
        sandbox.ClipEvents().Where(c => c.Value.Any(e => e.EventType == "clip_completed")).Select(c => c.Key).ToList();

    private async Task<DaemonSandbox> SandboxAsync(string backend)
    {
        string? connectionString = null;
        if (backend == "postgres")
        {
            var database = "crash" + Guid.NewGuid().ToString("N")[..10];
            await using (var connection = new Npgsql.NpgsqlConnection(postgres.Server.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", connection);
                await command.ExecuteNonQueryAsync();
            }

            connectionString = postgres.Server.ConnectionString.Replace("Database=homesec", $"Database={database}", StringComparison.Ordinal);
        }

        var sandbox = new DaemonSandbox(connectionString, MaxClipsInFlight);
        _sandboxes.Add(sandbox);
        return sandbox;
    }
}
