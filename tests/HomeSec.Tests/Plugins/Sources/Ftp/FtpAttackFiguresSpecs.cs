using HomeSec.TestSupport.Ftp;
using System.Diagnostics;
using System.Net;
using HomeSec.Core.Plugins.Sources.Ftp;
using Xunit;
using Xunit.Abstractions;

namespace HomeSec.Tests.Plugins.Sources.Ftp;

[CollectionDefinition(nameof(FtpAttackFiguresSpecs), DisableParallelization = true)]
public sealed class FtpAttackFiguresCollection;

/// <summary>
/// Attacks with their figures printed (test output): guesses per minute with the default throttle,
/// the camera's login success while attackers hold pre-login connections, and open descriptors of the
/// process around a 500-connection burst. Not parallel with other specs, so the descriptor count is this test's.
/// </summary>
[Collection(nameof(FtpAttackFiguresSpecs))]
public sealed class FtpAttackFiguresSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("gate");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Should_allow_at_most_five_guesses_before_a_ban_when_an_attacker_uses_32_connections_with_default_settings()
    {
        // Given (the default throttle: 1 s doubling, ban after 5 failures in 10 min)
        var defaults = FtpSourceRun.OptionsFor(Root) with
        {
            LoginFailureDelay = new FtpSourceOptions { Port = 1, Root = "/", ManifestPath = "/" }.LoginFailureDelay,
            MaxPreAuthConnectionsPerAddress = 32,
            PreAuthTimeout = TimeSpan.FromSeconds(60),
        };
        await using var run = await FtpSourceRun.StartAsync(defaults);
        var watch = Stopwatch.StartNew();

        // When
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            for (var guess = 0; guess < 100 && run.Source.ActiveLoginBans == 0; guess++)
            {
                await using var client = await RawFtpClient.ConnectAsync(run.Options.Port, IPAddress.Parse("127.0.0.3"));
                try
                {
                    await client.ReadReplyAsync(TimeSpan.FromSeconds(30));
                    await client.CommandAsync("USER " + FtpSourceRun.User);
                    await client.SendRawAsync(System.Text.Encoding.ASCII.GetBytes($"PASS guess-{i}-{guess}\r\n"));
                    await client.ReadReplyAsync(TimeSpan.FromSeconds(30));
                }
                catch (IOException)
                {
                    // banned meanwhile
                }
            }
        }));
        var took = watch.Elapsed;

        // Then
        output.WriteLine($"{run.Source.FailedLogins} guesses in {took.TotalSeconds:0.0} s from 32 connections, then banned for 15 min: " +
                         $"{run.Source.FailedLogins / Math.Max(took.TotalMinutes, 1):0.0} guesses in the first minute, {run.Source.FailedLogins / (took.TotalMinutes + 15):0.00} per minute over the ban");
        Assert.Equal(5L, run.Source.FailedLogins);
        Assert.Equal(1, run.Source.ActiveLoginBans);
    }

    [Fact]
    public async Task Should_let_every_camera_login_through_when_attackers_on_ten_addresses_keep_every_pre_auth_slot_busy()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        using var stop = new CancellationTokenSource();
        var attackers = Enumerable.Range(2, 12).Select(n => Task.Run(async () =>
        {
            var held = new List<RawFtpClient>();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    held.Add(await RawFtpClient.ConnectAsync(run.Options.Port, IPAddress.Parse($"127.0.2.{n}")));
                    if (held.Count > 6)
                    {
                        await held[0].DisposeAsync();
                        held.RemoveAt(0);
                    }
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
                {
                    // refused: try again
                }

                await Task.Yield();
            }

            foreach (var client in held)
            {
                await client.DisposeAsync();
            }
        })).ToList();

        // When
        var successes = 0;
        const int attempts = 50;
        for (var i = 0; i < attempts; i++)
        {
            await using var camera = await RawFtpClient.ConnectAsync(run.Options.Port);
            await camera.ReadReplyAsync();
            await camera.CommandAsync("USER " + FtpSourceRun.User);
            successes += (await camera.CommandAsync("PASS " + FtpSourceRun.Password))?.StartsWith("230", StringComparison.Ordinal) == true ? 1 : 0;
        }

        await stop.CancelAsync();
        await Task.WhenAll(attackers);

        // Then
        output.WriteLine($"camera logins: {successes}/{attempts} while 12 attacker addresses kept opening pre-login connections");
        Assert.Equal(attempts, successes);
    }

    [Fact]
    public async Task Should_give_back_every_descriptor_when_500_connections_come_at_once_and_go()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var before = Directory.GetFiles("/proc/self/fd").Length;

        // When
        var clients = await Task.WhenAll(Enumerable.Range(0, 500).Select(async i =>
        {
            var client = await RawFtpClient.ConnectAsync(run.Options.Port, IPAddress.Parse($"127.0.3.{(i % 200) + 1}"));
            await client.ReadReplyAsync(TimeSpan.FromSeconds(60)); // a burst on 2 busy cores: this measures descriptors, not speed
            return client;
        }));
        var during = Directory.GetFiles("/proc/self/fd").Length;
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        // Then
        Assert.True(await Eventually.TrueAsync(() => Directory.GetFiles("/proc/self/fd").Length <= before + 5), $"descriptors {Directory.GetFiles("/proc/self/fd").Length}, before {before}");
        output.WriteLine($"descriptors of the test process (server and clients): before {before}, during the burst {during}, after {Directory.GetFiles("/proc/self/fd").Length}");
    }
}
