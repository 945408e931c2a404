using HomeSec.TestSupport.Ftp;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Ftp;

public sealed class FtpServerProtocolSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("gate");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Should_reply_530_when_a_command_comes_before_login()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();

        // When
        var reply = await client.CommandAsync("STOR x.mp4");

        // Then
        Assert.StartsWith("530", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_keep_serving_when_a_client_sends_garbage_and_an_overlong_line()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        await client.LoginAsync();

        // When
        var overlong = await client.CommandAsync(new string('A', 100_000));
        await client.SendRawAsync([0x00, 0xC3, 0x28, 0x01, 0x0D, 0x0A]);
        var garbage = await client.ReadReplyAsync();
        var unknown = await client.CommandAsync("FROB x");
        var missingArgument = await client.CommandAsync("DELE");
        var noop = await client.CommandAsync("NOOP");
        await using var second = await RawFtpClient.ConnectAsync(run.Options.Port);
        var greeting = await second.ReadReplyAsync();

        // Then
        Assert.StartsWith("500", overlong, StringComparison.Ordinal);
        Assert.StartsWith("500", garbage, StringComparison.Ordinal);
        Assert.StartsWith("502", unknown, StringComparison.Ordinal);
        Assert.StartsWith("501", missingArgument, StringComparison.Ordinal);
        Assert.StartsWith("200", noop, StringComparison.Ordinal);
        Assert.StartsWith("220", greeting, StringComparison.Ordinal);
        Assert.Null(run.Failure);
    }

    [Fact]
    public async Task Should_refuse_a_login_with_421_when_the_logged_in_session_limit_is_reached()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root) with { MaxConnections = 2 });
        await using var first = await RawFtpClient.ConnectAsync(run.Options.Port);
        await using var second = await RawFtpClient.ConnectAsync(run.Options.Port);
        await first.ReadReplyAsync();
        await second.ReadReplyAsync();
        await first.LoginAsync();
        await second.LoginAsync();
        await using var third = await RawFtpClient.ConnectAsync(run.Options.Port);
        await third.ReadReplyAsync();

        // When
        await third.CommandAsync("USER " + FtpSourceRun.User);
        var refused = await third.CommandAsync("PASS " + FtpSourceRun.Password);
        var closed = await third.ReadReplyAsync();

        // Then
        Assert.StartsWith("421", refused, StringComparison.Ordinal);
        Assert.Null(closed);
    }

    [Fact]
    public async Task Should_close_with_421_when_the_client_stays_idle_past_the_timeout()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root) with { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();

        // When
        var reply = await client.ReadReplyAsync();

        // Then
        Assert.StartsWith("421", reply, StringComparison.Ordinal);
        Assert.Null(await client.ReadReplyAsync());
    }

    [Fact]
    public async Task Should_hand_over_one_clip_with_the_bytes_when_an_upload_finishes_cleanly()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var bytes = await Ffmpeg.SmallClipBytesAsync();

        // When
        var reply = await UploadAsync(run, "clip.mp4", bytes);

        // Then
        Assert.StartsWith("226", reply, StringComparison.Ordinal);
        var clip = Assert.Single(run.Clips);
        Assert.Equal(Path.Combine(Root, "clip.mp4"), clip.LocalPath);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(clip.LocalPath));
        Assert.StartsWith("gate-", clip.ClipId.Value, StringComparison.Ordinal);
        Assert.False(clip.Resumed);
    }

    [Fact]
    public async Task Should_hand_over_no_clip_and_leave_no_file_when_the_data_connection_is_reset_mid_upload()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        await client.LoginAsync();
        using var data = await client.OpenDataAsync();
        await client.CommandAsync("STOR broken.mp4");

        // When
        await data.GetStream().WriteAsync(new byte[50_000]);
        data.Client.LingerState = new LingerOption(true, 0);
        data.Client.Close();
        var reply = await client.ReadReplyAsync();

        // Then
        Assert.StartsWith("426", reply, StringComparison.Ordinal);
        Assert.StartsWith("200", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
        Assert.Empty(run.Clips);
        Assert.False(File.Exists(Path.Combine(Root, "broken.mp4")));
        Assert.Empty(Directory.EnumerateFiles(run.Options.PartialDir));
    }

    [Fact]
    public async Task Should_hand_over_no_clip_when_the_client_vanishes_with_its_data_connection_mid_upload()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        await client.LoginAsync();
        var data = await client.OpenDataAsync();
        await client.CommandAsync("STOR vanished.mp4");
        await data.GetStream().WriteAsync(new byte[50_000]);

        // When
        await client.DisposeAsync();
        data.Dispose();

        // Then
        Assert.True(await Eventually.TrueAsync(() => !Directory.EnumerateFiles(run.Options.PartialDir).Any()), "the half upload was left behind");
        Assert.Empty(run.Clips);
        Assert.False(File.Exists(Path.Combine(Root, "vanished.mp4")));
    }

    [Fact]
    public async Task Should_hand_over_no_clip_and_keep_serving_when_the_client_aborts_an_upload_with_ABOR()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        await client.LoginAsync();
        var data = await client.OpenDataAsync();
        await client.CommandAsync("STOR aborted.mp4");
        await data.GetStream().WriteAsync(new byte[50_000]);

        // When
        await client.SendRawAsync([0xFF, 0xF4, 0xFF, 0xF2, .. Encoding.ASCII.GetBytes("ABOR\r\n")]);
        data.Dispose();
        var aborted = await client.ReadReplyAsync();
        var abortDone = await client.ReadReplyAsync();

        // Then
        Assert.StartsWith("426", aborted, StringComparison.Ordinal);
        Assert.StartsWith("226", abortDone, StringComparison.Ordinal);
        Assert.StartsWith("200", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
        Assert.Empty(run.Clips);
        Assert.False(File.Exists(Path.Combine(Root, "aborted.mp4")));
        Assert.Empty(Directory.EnumerateFiles(run.Options.PartialDir));
    }

    [Fact]
    public async Task Should_abort_with_552_and_keep_no_file_when_an_upload_exceeds_the_size_limit()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root) with { MaxFileBytes = 100_000 });

        // When
        var reply = await UploadAsync(run, "huge.mp4", new byte[400_000]);

        // Then
        Assert.StartsWith("552", reply, StringComparison.Ordinal);
        Assert.Empty(run.Clips);
        Assert.False(File.Exists(Path.Combine(Root, "huge.mp4")));
        Assert.Empty(Directory.EnumerateFiles(run.Options.PartialDir));
    }

    [Fact]
    public async Task Should_hand_over_an_unprocessed_upload_again_as_resumed_but_not_a_processed_one_when_the_source_restarts()
    {
        // Given
        var options = FtpSourceRun.OptionsFor(Root);
        await using (var first = await FtpSourceRun.StartAsync(options))
        {
            await UploadAsync(first, "done.mp4", await Ffmpeg.SmallClipBytesAsync());
            await UploadAsync(first, "pending.mp4", await Ffmpeg.SmallClipBytesAsync());
            Assert.Equal(2, first.Clips.Count);
            await first.Source.MarkProcessedAsync(first.Clips.Single(c => c.LocalPath.EndsWith("done.mp4", StringComparison.Ordinal)).ClipId, CancellationToken.None);
        }

        // When
        await using var second = await FtpSourceRun.StartAsync(options);

        // Then
        var resumed = Assert.Single(second.Clips);
        Assert.Equal(Path.Combine(Root, "pending.mp4"), resumed.LocalPath);
        Assert.True(resumed.Resumed);
    }

    [Fact]
    public async Task Should_refuse_to_delete_or_replace_a_clip_when_it_is_still_being_processed()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var original = await Ffmpeg.SmallClipBytesAsync();
        await UploadAsync(run, "clip.mp4", original);
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        await client.LoginAsync();

        // When
        var delete = await client.CommandAsync("DELE clip.mp4");
        await client.OpenDataAsync();
        var replace = await client.CommandAsync("STOR clip.mp4");

        // Then
        Assert.StartsWith("550", delete, StringComparison.Ordinal);
        Assert.StartsWith("550", replace, StringComparison.Ordinal);
        Assert.Equal(original, await File.ReadAllBytesAsync(Path.Combine(Root, "clip.mp4")));
    }

    private static Task<string?> UploadAsync(FtpSourceRun run, string name, byte[] bytes) => run.UploadAsync(name, bytes);
}
