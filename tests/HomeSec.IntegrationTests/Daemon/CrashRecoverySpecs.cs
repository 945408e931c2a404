using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>kill -9 in the middle of a run, then a restart, on both state stores: nothing lost, nothing stored or alerted twice.</summary>
public sealed class CrashRecoverySpecs(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly List<DaemonSandbox> _sandboxes = [];

    public static TheoryData<string> Backends => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Should_store_every_clip_once_and_alert_it_at_most_once_when_the_daemon_is_killed_mid_run_and_restarted(string backend)
    {
        // Given
        const int clips = 120;
        var sandbox = await SandboxAsync(backend);
        var clip = Path.Combine(sandbox.Root, "source.mp4");
        await Ffmpeg.MakeTestClipAsync(clip, seconds: 1);
        await using (var first = sandbox.StartDaemon())
        {
            await sandbox.WaitForHealthAsync(first, h => h.GetProperty("status").GetString() == "ok", "the daemon healthy");
            await sandbox.DropClipsAsync(clip, clips);
            await sandbox.WaitForAlertedClipsAsync(first, 1);

            // When
            await first.KillAsync();
        }

        var alertedBeforeCrash = sandbox.Alerts().Count;
        await using var second = sandbox.StartDaemon();
        await sandbox.WaitForAlertedClipsAsync(second, clips);

        // Then
        Assert.True(alertedBeforeCrash < clips, $"the crash came too late to test anything ({alertedBeforeCrash} alerts before it)");
        var alertedClipIds = sandbox.Alerts().Select(a => a.GetProperty("clip_id").GetString()).ToList();
        Assert.Equal(alertedClipIds.Distinct().Count(), alertedClipIds.Count);
        Assert.Equal(clips, Directory.GetFiles(sandbox.StorageDir, "*.mp4").Length);
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.GetDirectoryName(sandbox.StorageDir)!, "*", SearchOption.AllDirectories), f => !f.EndsWith(".mp4", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        foreach (var sandbox in _sandboxes)
        {
            sandbox.Dispose();
        }
    }

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

        var sandbox = new DaemonSandbox(connectionString, maxClipsInFlight: 1);
        _sandboxes.Add(sandbox);
        return sandbox;
    }
}
