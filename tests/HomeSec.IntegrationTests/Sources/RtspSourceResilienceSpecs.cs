using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Sources;

/// <summary>The rtsp source when the camera goes away, a stream is missing, or the source is stopped.</summary>
public sealed class RtspSourceResilienceSpecs : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"homesec-rtsp-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Should_reconnect_and_record_again_when_the_server_is_killed_mid_stream_and_comes_back()
    {
        // Given
        using var server = RtspServer.Start("motion=still:6,move:3");
        await using var run = RtspSourceRun.Start(RtspSourceRun.OptionsFor(server.Url("motion"), _dir));
        await Eventually.WaitForAsync(() => run.MeasuredFrames >= 5, Patience, "frames from the camera", run.EverythingSaid);

        // When
        server.Kill();
        await Eventually.WaitForAsync(() => run.Logger.Count(t => t.Contains("reconnecting in", StringComparison.Ordinal)) >= 2, Patience, "both streams noticing the loss", run.EverythingSaid);
        server.Start();
        await Eventually.WaitForAsync(() => run.Clips.Count > 0 || run.Failure is not null, Patience, "a clip after the camera came back", run.EverythingSaid);

        // Then
        Assert.Null(run.Failure);
        var clip = Assert.Single(run.Clips);
        var frames = await VideoFile.FrameNumbersAsync(clip.LocalPath);
        Assert.Contains(6 * RtspServer.Fps, frames);
        Assert.True(run.Source.Health.Healthy, run.Source.Health.Detail);
        Assert.DoesNotContain("secret", run.EverythingSaid(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_detect_on_the_main_stream_when_the_detect_stream_keeps_failing()
    {
        // Given
        using var server = RtspServer.Start("motion=still:6,move:3");
        var options = RtspSourceRun.OptionsFor(server.Url("motion"), _dir, detectUrl: server.Url("no-such-mount")) with { DetectFallbackAttempts = 2 };
        await using var run = RtspSourceRun.Start(options);

        // When
        await Eventually.WaitForAsync(() => run.Clips.Count > 0 || run.Failure is not null, Patience, "a clip", run.EverythingSaid);

        // Then
        Assert.Null(run.Failure);
        Assert.Single(run.Clips);
        Assert.Equal(1, run.Logger.Count(t => t.Contains("detecting on the main stream", StringComparison.Ordinal)));
        Assert.Contains("fallback to the main stream", run.Source.Health.Detail, StringComparison.Ordinal);
        Assert.Contains("rtsp://***@127.0.0.1", run.Logger.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", run.EverythingSaid(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_leave_no_ffmpeg_process_when_the_source_is_stopped()
    {
        // Given
        using var server = RtspServer.Start("still=still:0");
        var run = RtspSourceRun.Start(RtspSourceRun.OptionsFor(server.Url("still"), _dir));
        await Eventually.WaitForAsync(() => run.MeasuredFrames >= 3, Patience, "frames from the camera", run.EverythingSaid);
        var whileRunning = ChildProcesses.FfmpegWith($":{server.Port}/");

        // When
        await run.DisposeAsync();

        // Then
        Assert.Equal(2, whileRunning.Count);
        Assert.Empty(ChildProcesses.FfmpegWith($":{server.Port}/"));
        Assert.Null(run.Failure);
    }

    [Fact]
    public async Task Should_fail_without_the_password_in_the_error_when_max_attempts_connections_fail()
    {
        // Given
        var deadPort = DaemonProcess.FreeTcpPort();
        var options = RtspSourceRun.OptionsFor($"rtsp://user:secret@127.0.0.1:{deadPort}/motion", _dir) with { MaxAttempts = 2 };

        // When
        await using var run = RtspSourceRun.Start(options);
        await Eventually.WaitForAsync(() => run.Failure is not null, Patience, "the source giving up", run.EverythingSaid);

        // Then
        Assert.Contains("max_attempts", run.Failure!.Message, StringComparison.Ordinal);
        Assert.False(run.Source.Health.Healthy);
        Assert.DoesNotContain("secret", run.EverythingSaid(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_finalize_a_recording_cut_by_a_crash_once_when_the_source_starts_again()
    {
        // Given
        using var server = RtspServer.Start("still=still:0");
        Directory.CreateDirectory(_dir);
        var leftover = Path.Combine(_dir, "cam-20240501T120000Z.ts");
        await Ffmpeg.MakeTestClipAsync(Path.ChangeExtension(leftover, ".mkv"), seconds: 2);
        await VideoFile.RemuxAsync(Path.ChangeExtension(leftover, ".mkv"), leftover);
        File.Delete(Path.ChangeExtension(leftover, ".mkv"));
        var options = RtspSourceRun.OptionsFor(server.Url("still"), _dir);

        // When
        var first = RtspSourceRun.Start(options);
        await Eventually.WaitForAsync(() => first.Clips.Count > 0 || first.Failure is not null, Patience, "the recovered clip", first.EverythingSaid);
        var recovered = Assert.Single(first.Clips);
        await first.Source.MarkProcessedAsync(recovered.ClipId, CancellationToken.None);
        await first.DisposeAsync();
        await using var second = RtspSourceRun.Start(options);
        await Eventually.WaitForAsync(() => second.MeasuredFrames >= 10, Patience, "the second start running", second.EverythingSaid);

        // Then
        Assert.Equal("cam-20240501T120000Z", recovered.ClipId.Value);
        Assert.True(recovered.Resumed);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero), recovered.StartedAt);
        Assert.InRange(await VideoFile.DurationSecondsAsync(recovered.LocalPath), 1.5, 2.5);
        Assert.False(File.Exists(leftover));
        Assert.Empty(second.Clips);
    }
}
