using HomeSec.TestSupport.Ftp;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Ftp;

/// <summary>Uploads under hostile or unlucky conditions: a full disk, a same-name race, pipelined commands, Telnet bytes, content that is not video.</summary>
public sealed class FtpUploadSafetySpecs : IDisposable
{
    private readonly TempDirectory _temp = new();
    private bool _mounted;

    private string Root => _temp.Combine("gate");

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", "-l", Root);
        }

        _temp.Dispose();
    }

    [Fact]
    public async Task Should_delete_the_partial_file_and_report_a_full_disk_when_an_upload_does_not_fit()
    {
        // Given (a real full disk: a 256 KiB tmpfs as the camera's root; needs root, as the CI and this machine run)
        Directory.CreateDirectory(Root);
        Assert.True(Run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", Root) == 0, "mounting a tmpfs needs root");
        _mounted = true;
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));

        // When
        var reply = await run.UploadAsync("big.mp4", new byte[2 * 1024 * 1024], expectClip: false);

        // Then
        Assert.StartsWith("452", reply, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(run.Options.PartialDir));
        Assert.False(File.Exists(Path.Combine(Root, "big.mp4")));
        Assert.Empty(run.Clips);
        Assert.False(run.Source.Health.Healthy);
        Assert.Contains("cannot write uploads", run.Source.Health.Detail, StringComparison.Ordinal);
        Assert.Contains(run.Logger.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("disk full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_accept_one_and_refuse_the_other_with_550_when_two_uploads_of_one_name_finish_together()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var clip = await Ffmpeg.SmallClipBytesAsync();
        await using var first = await RawFtpClient.ConnectAsync(run.Options.Port);
        await using var second = await RawFtpClient.ConnectAsync(run.Options.Port);
        var uploads = new[] { first, second };
        var data = new List<TcpClient>();
        foreach (var client in uploads)
        {
            await client.ReadReplyAsync();
            await client.LoginAsync();
            data.Add(await client.OpenDataAsync());
            Assert.StartsWith("150", await client.CommandAsync("STOR same.mp4"), StringComparison.Ordinal);
        }

        // When
        foreach (var connection in data)
        {
            await connection.GetStream().WriteAsync(clip);
        }

        data.ForEach(d => d.Client.Shutdown(SocketShutdown.Send));
        var replies = await Task.WhenAll(uploads.Select(c => c.ReadReplyAsync()));

        // Then
        Assert.Equal(1, replies.Count(r => r?.StartsWith("226", StringComparison.Ordinal) == true));
        Assert.Equal(1, replies.Count(r => r?.StartsWith("550", StringComparison.Ordinal) == true));
        Assert.True(await Eventually.TrueAsync(() => run.Clips.Count == 1));
        Assert.Equal(clip, await File.ReadAllBytesAsync(Path.Combine(Root, "same.mp4")));
        // the refused upload's partial file goes right after its reply
        Assert.True(await Eventually.TrueAsync(() => !Directory.EnumerateFiles(run.Options.PartialDir).Any()), "the refused upload's partial file was left behind");
        data.ForEach(d => d.Dispose());
    }

    [Fact]
    public async Task Should_keep_the_upload_when_CWD_laboratory_is_pipelined_right_after_the_data()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        await client.LoginAsync();
        using var data = await client.OpenDataAsync();
        await client.CommandAsync("STOR kept.mp4");
        await data.GetStream().WriteAsync(await Ffmpeg.SmallClipBytesAsync());

        // When
        await client.SendRawAsync("CWD /laboratory\r\n"u8.ToArray());
        data.Client.Shutdown(SocketShutdown.Send);
        var stored = await client.ReadReplyAsync();
        var cwd = await client.ReadReplyAsync();

        // Then
        Assert.StartsWith("226", stored, StringComparison.Ordinal);
        Assert.StartsWith("550", cwd, StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(() => run.Clips.Count == 1));
    }

    [Fact]
    public async Task Should_abort_the_upload_when_Telnet_IP_and_an_urgent_Synch_come_before_ABOR()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        await client.LoginAsync();
        var data = await client.OpenDataAsync();
        await client.CommandAsync("STOR aborted.mp4");
        await data.GetStream().WriteAsync(await Ffmpeg.SmallClipBytesAsync());

        // When (RFC 959: IAC IP, then IAC DM sent as urgent data, then ABOR)
        await client.SendRawAsync([0xFF, 0xF4, 0xFF]);
        await client.SendUrgentAsync([0xF2]);
        await client.SendRawAsync("ABOR\r\n"u8.ToArray());
        data.Dispose();
        var aborted = await client.ReadReplyAsync();
        var abortDone = await client.ReadReplyAsync();

        // Then
        Assert.StartsWith("426", aborted, StringComparison.Ordinal);
        Assert.StartsWith("226", abortDone, StringComparison.Ordinal);
        Assert.StartsWith("200", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
        Assert.Empty(run.Clips);
        Assert.False(File.Exists(Path.Combine(Root, "aborted.mp4")));
    }

    [Fact]
    public async Task Should_keep_text_empty_and_playlist_files_named_mp4_as_plain_files_and_make_a_clip_only_of_the_real_video()
    {
        // Given
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        var playlist = Encoding.ASCII.GetBytes("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n");

        // When
        var text = await run.UploadAsync("text.mp4", Encoding.ASCII.GetBytes("just some text, not a video"), expectClip: false);
        var empty = await run.UploadAsync("empty.mp4", [], expectClip: false);
        var hls = await run.UploadAsync("playlist.mp4", playlist, expectClip: false);
        var video = await run.UploadAsync("real.mp4", await Ffmpeg.SmallClipBytesAsync());

        // Then
        Assert.All([text, empty, hls, video], r => Assert.StartsWith("226", r, StringComparison.Ordinal));
        Assert.Equal([Path.Combine(Root, "real.mp4")], run.Clips.Select(c => c.LocalPath));
        var clip = Assert.Single(run.Clips);
        Assert.InRange((clip.EndedAt - clip.StartedAt).TotalSeconds, 0.9, 1.2); // the 1 s video's length as ffprobe read it, not 0
        Assert.All(["text.mp4", "empty.mp4", "playlist.mp4"], name => Assert.True(File.Exists(Path.Combine(Root, name)), name));
        Assert.Equal(3, run.Logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Text.Contains("not a video", StringComparison.Ordinal)));
    }

    private static int Run(string file, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
