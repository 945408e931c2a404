using System.Text;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins.Analyzers.OpenAi;
using HomeSec.Core.Plugins.Filters.Yolo;
using Xunit;

namespace HomeSec.Tests.Media;

/// <summary>The content check and the safe ffmpeg input every untrusted file goes through.</summary>
public sealed class MediaProbeSpecs : IDisposable
{
    /// <summary>An HLS playlist that, if ffmpeg followed it, would read a local file (the classic ffmpeg local-file disclosure).</summary>
    private const string LocalFilePlaylist = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n";

    private readonly TempDirectory _temp = new();

    public MediaProbeSpecs() => Directory.CreateDirectory(_temp.Path);

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("text.mp4", "just text, named like a video")]
    [InlineData("empty.mp4", "")]
    [InlineData("playlist.mp4", LocalFilePlaylist)]
    [InlineData("playlist.m3u8.mkv", LocalFilePlaylist)]
    public async Task Should_not_take_a_file_for_a_video_when_it_is_text_empty_or_a_playlist_named_like_a_clip(string name, string content)
    {
        // Given
        var path = _temp.Combine(name);
        await File.WriteAllTextAsync(path, content);

        // When
        var check = await new FfprobeMediaProbe().CheckAsync(path, CancellationToken.None);

        // Then
        Assert.False(check.IsVideo, check.Reason);
        Assert.DoesNotContain("root:", check.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".mp4")]
    [InlineData(".mkv")]
    [InlineData(".ts")]
    public async Task Should_take_a_file_for_a_video_with_its_duration_when_ffmpeg_made_it(string extension)
    {
        // Given
        var path = _temp.Combine("real" + extension);
        await File.WriteAllBytesAsync(path, await Ffmpeg.SmallClipBytesAsync(extension));

        // When
        var check = await new FfprobeMediaProbe().CheckAsync(path, CancellationToken.None);

        // Then
        Assert.True(check.IsVideo, check.Reason);
        Assert.InRange(check.Duration, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public void Should_allow_only_video_demuxers_and_the_file_protocol_when_building_an_ffmpeg_input()
    {
        // Given
        const string path = "/clips/http:evil.mp4";

        // When
        var arguments = FfmpegInput.Arguments(path);

        // Then
        Assert.Equal(["-protocol_whitelist", "file", "-format_whitelist", FfmpegInput.VideoFormatWhitelist, "-i", "file:/clips/http:evil.mp4"], arguments);
        Assert.DoesNotContain("hls", FfmpegInput.VideoFormatWhitelist.Split(','));
        Assert.DoesNotContain("concat", FfmpegInput.VideoFormatWhitelist.Split(','));
    }

    [Fact]
    public async Task Should_refuse_a_playlist_named_mp4_when_the_yolo_frame_sampler_or_the_vlm_frame_extractor_opens_it()
    {
        // Given
        var path = _temp.Combine("playlist.mp4");
        await File.WriteAllTextAsync(path, LocalFilePlaylist, Encoding.ASCII);

        // When
        var sampler = await Record.ExceptionAsync(async () => await (await FrameSampler.StartAsync(path, 1, 64, 64, CancellationToken.None)).DisposeAsync());
        var extractor = await Record.ExceptionAsync(() => new ClipFrameExtractor(2, 320, 80).ExtractAsync(path, TimeSpan.FromSeconds(2), [], CancellationToken.None));

        // Then
        Assert.IsType<InvalidDataException>(sampler);
        Assert.IsType<InvalidDataException>(extractor);
        Assert.Contains("whitelist", sampler.Message + extractor.Message, StringComparison.Ordinal);
    }
}
