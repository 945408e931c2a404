using HomeSec.TestSupport.Ftp;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Ftp;

/// <summary>Password guessing against the ftp source: slowed per address, then banned, with a log line per failure.</summary>
public sealed class FtpLoginThrottleSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("gate");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Should_answer_later_after_each_failure_and_then_ban_the_address_when_its_logins_keep_failing()
    {
        // Given
        var options = FtpSourceRun.OptionsFor(Root) with
        {
            LoginFailureDelay = TimeSpan.FromMilliseconds(100), LoginFailureDelayMax = TimeSpan.FromSeconds(5),
            BanAfterFailures = 3, BanWindow = TimeSpan.FromMinutes(1), BanDuration = TimeSpan.FromMinutes(1),
        };
        await using var run = await FtpSourceRun.StartAsync(options);
        await using var attacker = await RawFtpClient.ConnectAsync(run.Options.Port);
        await attacker.ReadReplyAsync();

        // When
        var firstTook = await TimedGuessAsync(attacker, "guess-1");
        var secondTook = await TimedGuessAsync(attacker, "guess-2");
        await attacker.CommandAsync("USER " + FtpSourceRun.User);
        var third = await attacker.CommandAsync("PASS guess-3");
        await using var later = await RawFtpClient.ConnectAsync(run.Options.Port);
        var greeting = await later.ReadReplyAsync();

        // Then
        Assert.True(firstTook.Elapsed >= TimeSpan.FromMilliseconds(90), $"first failure answered after {firstTook.Elapsed}");
        Assert.True(secondTook.Elapsed >= TimeSpan.FromMilliseconds(190), $"second failure answered after {secondTook.Elapsed}");
        Assert.StartsWith("530", firstTook.Reply, StringComparison.Ordinal);
        Assert.StartsWith("421", third, StringComparison.Ordinal);
        Assert.StartsWith("421", greeting, StringComparison.Ordinal);
        Assert.Equal((3L, 1L, 1), (run.Source.FailedLogins, run.Source.LoginBans, run.Source.ActiveLoginBans));
        var warnings = run.Logger.Entries.Where(e => e.Level == LogLevel.Warning && e.Text.Contains("FAIL LOGIN", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.All(warnings, w => Assert.Contains("127.0.0.1", w.Text, StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Text.Contains("banned", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Logger.Entries, e => e.Text.Contains("guess-", StringComparison.Ordinal));
        Assert.Contains("banned", run.Source.Health.Detail, StringComparison.Ordinal);
        Assert.Equal(3L, run.Source.Health.Counters["ftp_failed_logins"]);
        Assert.Equal(1L, run.Source.Health.Counters["ftp_login_bans"]);
    }

    [Fact]
    public async Task Should_let_no_more_guesses_through_than_the_ban_allows_when_an_attacker_guesses_on_many_connections_at_once()
    {
        // Given
        var options = FtpSourceRun.OptionsFor(Root) with
        {
            LoginFailureDelay = TimeSpan.FromMilliseconds(20), BanAfterFailures = 5, MaxPreAuthConnectionsPerAddress = 16,
        };
        await using var run = await FtpSourceRun.StartAsync(options);
        var attacker = IPAddress.Parse("127.0.0.2");

        // When
        var replies = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            await using var client = await RawFtpClient.ConnectAsync(run.Options.Port, attacker);
            try
            {
                await client.ReadReplyAsync();
                await client.CommandAsync("USER " + FtpSourceRun.User);
                return await client.CommandAsync($"PASS wrong-{i}");
            }
            catch (IOException)
            {
                // turned away at connect once the ban was in place
                return "closed";
            }
        }));
        await using var camera = await RawFtpClient.ConnectAsync(run.Options.Port);
        await camera.ReadReplyAsync();
        await camera.LoginAsync();

        // Then
        Assert.Equal(5L, run.Source.FailedLogins);
        Assert.Equal(4, replies.Count(r => r?.StartsWith("530", StringComparison.Ordinal) == true));
        Assert.Equal(1L, run.Source.LoginBans);
    }

    [Fact]
    public async Task Should_close_a_connection_that_waits_for_its_turn_when_the_pre_auth_time_runs_out()
    {
        // Given
        var options = FtpSourceRun.OptionsFor(Root) with
        {
            LoginFailureDelay = TimeSpan.FromSeconds(30), LoginFailureDelayMax = TimeSpan.FromSeconds(30), PreAuthTimeout = TimeSpan.FromMilliseconds(500),
        };
        await using var run = await FtpSourceRun.StartAsync(options);
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        await client.CommandAsync("USER " + FtpSourceRun.User);

        // When
        var took = Stopwatch.StartNew();
        var reply = await client.CommandAsync("PASS wrong");

        // Then
        Assert.StartsWith("421", reply, StringComparison.Ordinal);
        Assert.True(took.Elapsed < TimeSpan.FromSeconds(10), $"closed after {took.Elapsed}");
    }

    private static async Task<(string? Reply, TimeSpan Elapsed)> TimedGuessAsync(RawFtpClient client, string password)
    {
        await client.CommandAsync("USER " + FtpSourceRun.User);
        var watch = Stopwatch.StartNew();
        var reply = await client.CommandAsync("PASS " + password);
        return (reply, watch.Elapsed);
    }
}
