using HomeSec.Core.Clips;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins.Sources.LocalFolder;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources;

/// <summary>The local_folder source's content check: only what ffprobe accepts as video becomes a clip.</summary>
public sealed class LocalFolderContentSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string WatchDir => _temp.Combine("watch");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Should_hand_over_only_the_real_video_when_text_and_a_playlist_named_mp4_lie_in_the_folder()
    {
        // Given
        Directory.CreateDirectory(WatchDir);
        await File.WriteAllTextAsync(Path.Combine(WatchDir, "a-text.mp4"), "not a video");
        await File.WriteAllTextAsync(Path.Combine(WatchDir, "b-playlist.mp4"), "#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n");
        await File.WriteAllBytesAsync(Path.Combine(WatchDir, "c-real.mp4"), await Ffmpeg.SmallClipBytesAsync());
        var options = new LocalFolderOptions(WatchDir, TimeSpan.FromSeconds(1), TimeSpan.Zero, VideoFiles.DefaultExtensions, _temp.Combine("manifest.jsonl"));
        await using var run = new FolderSourceRun(options, mediaProbe: new FfprobeMediaProbe());

        // When
        var clip = await run.TakeAsync(maxPolls: 3);

        // Then
        Assert.Equal(Path.Combine(WatchDir, "c-real.mp4"), clip.LocalPath);
        await run.AssertNothingHandedOverAsync();
    }

    [Fact]
    public async Task Should_give_the_clip_its_probed_length_ending_at_the_file_time_also_when_it_is_resumed_after_a_restart()
    {
        // Given: a real 1 s video whose file was last written at noon
        Directory.CreateDirectory(WatchDir);
        var path = Path.Combine(WatchDir, "clip.mp4");
        await File.WriteAllBytesAsync(path, await Ffmpeg.SmallClipBytesAsync());
        var noon = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        File.SetLastWriteTimeUtc(path, noon.UtcDateTime);
        var options = new LocalFolderOptions(WatchDir, TimeSpan.FromSeconds(1), TimeSpan.Zero, VideoFiles.DefaultExtensions, _temp.Combine("manifest.jsonl"));
        RecordedClip first;
        await using (var run = new FolderSourceRun(options, mediaProbe: new FfprobeMediaProbe()))
        {
            first = await run.TakeAsync(maxPolls: 3);
        }

        // When: the daemon restarts before the clip was finished
        await using var restarted = new FolderSourceRun(options, mediaProbe: new NoFfprobe());
        var resumed = await restarted.TakeAsync(maxPolls: 1);

        // Then
        Assert.Equal(noon, first.EndedAt);
        Assert.InRange((first.EndedAt - first.StartedAt).TotalSeconds, 0.9, 1.2);
        Assert.True(resumed.Resumed);
        Assert.Equal((first.StartedAt, first.EndedAt), (resumed.StartedAt, resumed.EndedAt));
    }

    [Fact]
    public async Task Should_leave_the_length_unknown_when_ffprobe_is_not_installed()
    {
        // Given
        Directory.CreateDirectory(WatchDir);
        await File.WriteAllTextAsync(Path.Combine(WatchDir, "clip.mp4"), "bytes a camera wrote");
        var options = new LocalFolderOptions(WatchDir, TimeSpan.FromSeconds(1), TimeSpan.Zero, VideoFiles.DefaultExtensions, _temp.Combine("manifest.jsonl"));
        await using var run = new FolderSourceRun(options, mediaProbe: new NoFfprobe());

        // When
        var clip = await run.TakeAsync(maxPolls: 3);

        // Then: start == end, which the VLM prompt words as "duration unknown"
        Assert.Equal(clip.StartedAt, clip.EndedAt);
    }

    [Fact]
    public async Task Should_take_a_non_empty_file_by_its_extension_when_ffprobe_is_not_installed()
    {
        // Given
        Directory.CreateDirectory(WatchDir);
        await File.WriteAllBytesAsync(Path.Combine(WatchDir, "a-empty.mp4"), []);
        await File.WriteAllTextAsync(Path.Combine(WatchDir, "b-clip.mp4"), "bytes a camera wrote");
        var options = new LocalFolderOptions(WatchDir, TimeSpan.FromSeconds(1), TimeSpan.Zero, VideoFiles.DefaultExtensions, _temp.Combine("manifest.jsonl"));
        await using var run = new FolderSourceRun(options, mediaProbe: new NoFfprobe());

        // When
        var clip = await run.TakeAsync(maxPolls: 3);

        // Then
        Assert.Equal(Path.Combine(WatchDir, "b-clip.mp4"), clip.LocalPath);
        await run.AssertNothingHandedOverAsync();
    }

    /// <summary>What <see cref="FfprobeMediaProbe"/> answers on a machine without ffmpeg.</summary>
    private sealed class NoFfprobe : IMediaProbe
    {
        public Task<MediaCheck> CheckAsync(string path, CancellationToken cancellationToken) =>
            Task.FromResult(MediaCheck.NotVideo("cannot start ffprobe: No such file or directory (is ffmpeg installed and on PATH?)") with { ProbeMissing = true });
    }
}
