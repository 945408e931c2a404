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
}
