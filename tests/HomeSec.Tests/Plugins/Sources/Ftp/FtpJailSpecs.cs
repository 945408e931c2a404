using HomeSec.TestSupport.Ftp;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Ftp;

/// <summary>The root as a jail against symbolic links planted in it (by another service sharing the folder, say).</summary>
public sealed class FtpJailSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public FtpJailSpecs()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "outside the root");
    }

    private string Root => _temp.Combine("gate");

    private string Outside => _temp.Combine("outside");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Should_refuse_LIST_RETR_STOR_DELE_and_CWD_through_a_link_when_symlinks_in_the_root_lead_outside_or_loop()
    {
        // Given
        Directory.CreateSymbolicLink(Path.Combine(Root, "out"), Outside);
        Directory.CreateSymbolicLink(Path.Combine(Root, "l"), ".");
        File.CreateSymbolicLink(Path.Combine(Root, "secret.mp4"), Path.Combine(Outside, "secret.txt"));
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));
        await using var client = await RawFtpClient.ConnectAsync(run.Options.Port);
        await client.ReadReplyAsync();
        await client.LoginAsync();

        // When
        var replies = new List<string?>
        {
            await client.CommandAsync("LIST out"),
            await client.CommandAsync("RETR out/secret.txt"),
            await client.CommandAsync("RETR secret.mp4"),
            await client.CommandAsync("STOR out/planted.mp4"),
            await client.CommandAsync("STOR l/l/x.mp4"),
            await client.CommandAsync("DELE out/secret.txt"),
            await client.CommandAsync("DELE secret.mp4"),
            await client.CommandAsync("SIZE secret.mp4"),
            await client.CommandAsync("CWD out"),
            await client.CommandAsync("CWD l"),
            await client.CommandAsync("MKD out/new"),
        };
        using var data = await client.OpenDataAsync();
        await client.CommandAsync("NLST /");
        var listing = await new StreamReader(data.GetStream()).ReadToEndAsync();

        // Then
        Assert.All(replies, r => Assert.Matches("^55[03]", r ?? "(closed)"));
        Assert.Equal(["secret.txt"], Directory.EnumerateFileSystemEntries(Outside).Select(Path.GetFileName));
        Assert.Equal("outside the root", await File.ReadAllTextAsync(Path.Combine(Outside, "secret.txt")));
        Assert.DoesNotContain("out", listing.Split("\r\n"));
        Assert.DoesNotContain("secret.mp4", listing.Split("\r\n"));
        Assert.Empty(run.Clips);
    }

    [Fact]
    public async Task Should_hand_over_each_clip_once_and_nothing_from_outside_when_the_source_restarts_with_a_self_loop_and_a_link_outside()
    {
        // Given
        var clip = await Ffmpeg.SmallClipBytesAsync();
        await File.WriteAllBytesAsync(Path.Combine(Root, "crashed.mp4"), clip);
        await File.WriteAllBytesAsync(Path.Combine(Outside, "elsewhere.mp4"), clip);
        var outsideTime = File.GetLastWriteTimeUtc(Path.Combine(Outside, "elsewhere.mp4"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "l"), ".");
        Directory.CreateSymbolicLink(Path.Combine(Root, "out"), Outside);
        File.CreateSymbolicLink(Path.Combine(Root, "linked.mp4"), Path.Combine(Outside, "elsewhere.mp4"));
        var options = FtpSourceRun.OptionsFor(Root);
        await using (var first = await FtpSourceRun.StartAsync(options))
        {
            Assert.Equal([Path.Combine(Root, "crashed.mp4")], first.Clips.Select(c => c.LocalPath));
            Assert.Contains(first.Logger.Entries, e => e.Text.Contains("symbolic link", StringComparison.Ordinal));
        }

        // When
        await using var second = await FtpSourceRun.StartAsync(options);

        // Then
        var resumed = Assert.Single(second.Clips);
        Assert.Equal(Path.Combine(Root, "crashed.mp4"), resumed.LocalPath);
        Assert.True(resumed.Resumed);
        Assert.Equal(outsideTime, File.GetLastWriteTimeUtc(Path.Combine(Outside, "elsewhere.mp4")));
    }

    [Fact]
    public async Task Should_remove_only_the_link_when_the_partial_folder_is_a_symlink_to_another_folder()
    {
        // Given
        Directory.CreateSymbolicLink(Path.Combine(Root, ".partial"), Outside);

        // When
        await using var run = await FtpSourceRun.StartAsync(FtpSourceRun.OptionsFor(Root));

        // Then
        Assert.Equal(["secret.txt"], Directory.EnumerateFileSystemEntries(Outside).Select(Path.GetFileName));
        Assert.Null(new FileInfo(Path.Combine(Root, ".partial")).LinkTarget);
    }
}
