using HomeSec.TestSupport.Ftp;
using System.Net;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Ftp;

/// <summary>Connections an attacker opens and never logs in with must not keep the camera out.</summary>
public sealed class FtpConnectionLimitSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("gate");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Should_let_the_camera_log_in_and_upload_when_an_attacker_holds_idle_connections_that_send_NOOP()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var attackers = new List<RawFtpClient>();
        var greetings = new List<string?>();
        for (var i = 0; i < 8; i++)
        {
            var attacker = await RawFtpClient.ConnectAsync(run.Options.Port, IPAddress.Parse("127.0.0.2"));
            attackers.Add(attacker);
            greetings.Add(await attacker.ReadReplyAsync());
        }

        // When
        var noops = new List<string?>();
        foreach (var attacker in attackers.Take(3))
        {
            noops.Add(await attacker.CommandAsync("NOOP"));
        }

        var upload = await run.UploadAsync("camera.mp4", await Ffmpeg.SmallClipBytesAsync());

        // Then
        Assert.Equal(3, greetings.Count(g => g?.StartsWith("220", StringComparison.Ordinal) == true));
        Assert.Equal(5, greetings.Count(g => g?.StartsWith("421", StringComparison.Ordinal) == true));
        Assert.All(noops, n => Assert.StartsWith("530", n, StringComparison.Ordinal));
        Assert.StartsWith("226", upload, StringComparison.Ordinal);
        Assert.Single(run.Clips);
        foreach (var attacker in attackers)
        {
            await attacker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Should_make_room_for_the_camera_when_attackers_from_many_addresses_fill_every_pre_auth_slot()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root) with { MaxPreAuthConnections = 6, MaxPreAuthConnectionsPerAddress = 2 });
        var attackers = new List<RawFtpClient>();
        for (var i = 0; i < 6; i++)
        {
            var attacker = await RawFtpClient.ConnectAsync(run.Options.Port, IPAddress.Parse($"127.0.1.{(i / 2) + 1}"));
            attackers.Add(attacker);
            Assert.StartsWith("220", await attacker.ReadReplyAsync(), StringComparison.Ordinal);
        }

        // When
        await using var camera = await RawFtpClient.ConnectAsync(run.Options.Port);
        var greeting = await camera.ReadReplyAsync();
        await camera.LoginAsync();
        var oldest = await attackers[0].ReadReplyAsync();

        // Then
        Assert.StartsWith("220", greeting, StringComparison.Ordinal);
        Assert.StartsWith("421", oldest, StringComparison.Ordinal);
        foreach (var attacker in attackers)
        {
            await attacker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Should_close_with_421_when_a_client_sends_only_NOOP_and_never_logs_in_within_the_pre_auth_timeout()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root) with { PreAuthTimeout = TimeSpan.FromMilliseconds(500), IdleTimeout = TimeSpan.FromMinutes(5) });
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();

        // When
        // (bounded by time, not by a count: on a fast machine thousands of NOOPs fit in the 500 ms)
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string? reply;
        do
        {
            reply = await client.CommandAsync("NOOP");
        }
        while (reply?.StartsWith("530", StringComparison.Ordinal) == true && DateTime.UtcNow < giveUp);

        // Then
        Assert.StartsWith("421", reply, StringComparison.Ordinal);
        Assert.Null(await client.ReadReplyAsync());
    }

    [Fact]
    public async Task Should_free_the_session_slot_when_the_client_closes_its_control_connection_while_the_server_waits_for_data()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root) with { MaxConnections = 1, IdleTimeout = TimeSpan.FromMinutes(5) });
        var first = await RawFtpClient.ConnectAsync(run.Options.Port);
        await first.ReadReplyAsync();
        await first.LoginAsync();
        await first.CommandAsync("EPSV");
        await first.SendRawAsync("STOR waiting.mp4\r\n"u8.ToArray());

        // When
        await first.DisposeAsync();

        // Then
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            await using var second = await RawFtpClient.ConnectAsync(run.Options.Port);
            await second.ReadReplyAsync();
            await second.CommandAsync("USER " + FtpSourceRun.User);
            return (await second.CommandAsync("PASS " + FtpSourceRun.Password))?.StartsWith("230", StringComparison.Ordinal) == true;
        }), "the slot stayed taken");
    }
}
