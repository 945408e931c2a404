using HomeSec.Core.Plugins.Sources.Rtsp;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace HomeSec.IntegrationTests.Sources;

/// <summary>The rtsp source against a real RTSP server (GStreamer) serving a scripted synthetic scene.</summary>
public sealed class RtspSourceRecordingSpecs(ITestOutputHelper output) : IDisposable
{
    private const int MotionStartsAtFrame = 6 * RtspServer.Fps;
    private const int MotionEndsAtFrame = 9 * RtspServer.Fps;
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
    public async Task Should_record_one_decodable_clip_with_pre_roll_when_a_box_moves_for_three_seconds()
    {
        // Given
        using var server = RtspServer.Start("motion=still:6,move:3");
        await using var run = RtspSourceRun.Start(RtspSourceRun.OptionsFor(server.Url("motion"), _dir));

        // When
        await Eventually.WaitForAsync(() => run.Clips.Count > 0 || run.Failure is not null, Patience, "a clip", run.EverythingSaid);
        var framesAtClip = MeasuredFramesAtClip(run);
        await Eventually.WaitForAsync(() => run.MeasuredFrames >= framesAtClip + 15, Patience, "3 s more of frames, in which no second clip may come");
        await run.StopAsync();

        // Then
        Assert.Null(run.Failure);
        var clip = Assert.Single(run.Clips);
        Assert.EndsWith(".mp4", clip.LocalPath, StringComparison.Ordinal);
        Assert.StartsWith("cam-", clip.ClipId.Value, StringComparison.Ordinal);
        var expected = run.Options.PreRoll.TotalSeconds + 3 + run.Options.StopDelay.TotalSeconds;
        var duration = await VideoFile.DurationSecondsAsync(clip.LocalPath);
        var frames = await VideoFile.FrameNumbersAsync(clip.LocalPath);
        output.WriteLine($"clip {clip.ClipId}: {duration:0.00} s, frames {frames[0]}..{frames[^1]}, motion {MotionStartsAtFrame}..{MotionEndsAtFrame}");
        // The cut falls on a keyframe up to one GOP (1 s) before the pre-roll; detection and pipe latency add a little at the end.
        Assert.True(duration >= expected - 1 && duration <= expected + 2.5, $"duration {duration} s, expected about {expected} s; frames {frames[0]}..{frames[^1]}");
        // Pre-roll: the clip opens on still frames from before the motion (at least 2 of the 3 s, cut at a keyframe).
        Assert.InRange(frames[0], MotionStartsAtFrame - (5 * RtspServer.Fps), MotionStartsAtFrame - (2 * RtspServer.Fps));
        Assert.Contains(MotionStartsAtFrame, frames);
        Assert.Contains(MotionEndsAtFrame, frames);
        Assert.Equal(Enumerable.Range(frames[0], frames.Count), frames);
        Assert.Empty(Directory.GetFiles(_dir, "*.ts"));
        Assert.DoesNotContain("secret", run.EverythingSaid(), StringComparison.Ordinal);
        Assert.Empty(ChildProcesses.FfmpegWith($":{server.Port}/"));
    }

    [Fact]
    public async Task Should_record_nothing_when_the_scene_is_still_or_the_motion_is_masked()
    {
        // Given
        using var server = RtspServer.Start("still=still:0", "motion=still:2,move:3");
        var stillDir = Path.Combine(_dir, "still");
        var maskedDir = Path.Combine(_dir, "masked");
        // The box moves through rows 150-270 of 640x360: rows 75-135 of the 320x180 detect frame.
        MaskPolygon.TryParse("0,70 320,70 320,140 0,140", MaskUnits.Pixels, out var boxBand, out _);
        await using var still = RtspSourceRun.Start(RtspSourceRun.OptionsFor(server.Url("still"), stillDir));
        await using var masked = RtspSourceRun.Start(RtspSourceRun.OptionsFor(server.Url("motion"), maskedDir) with { MotionMasks = [boxBand!] });

        // When
        await Eventually.WaitForAsync(() => still.MeasuredFrames >= 35 && masked.MeasuredFrames >= 35, Patience, "7 s of measured frames", () => still.EverythingSaid() + masked.EverythingSaid());

        // Then
        Assert.Null(still.Failure);
        Assert.Null(masked.Failure);
        Assert.Empty(still.Clips);
        Assert.Empty(masked.Clips);
        Assert.Equal(0, still.Logger.Count(t => t.Contains("recording with", StringComparison.Ordinal)));
        Assert.Equal(0, masked.Logger.Count(t => t.Contains("recording with", StringComparison.Ordinal)));
        Assert.Empty(Directory.GetFiles(stillDir, "*.ts"));
        Assert.Empty(Directory.GetFiles(maskedDir, "*.ts"));
    }

    [Fact]
    public async Task Should_rotate_into_back_to_back_clips_when_motion_outlasts_max_recording()
    {
        // Given
        using var server = RtspServer.Start("motion=still:4,move:7");
        var options = RtspSourceRun.OptionsFor(server.Url("motion"), _dir) with
        {
            PreRoll = TimeSpan.FromSeconds(1),
            StopDelay = TimeSpan.FromSeconds(1.5),
            MaxRecording = TimeSpan.FromSeconds(3),
        };
        await using var run = RtspSourceRun.Start(options);

        // When
        await Eventually.WaitForAsync(() => run.Logger.Count(t => t.Contains("finishing the clip", StringComparison.Ordinal)) > 0, Patience, "the end of the motion", run.EverythingSaid);
        await Eventually.WaitForAsync(() => run.Clips.Count >= 3 && !Directory.EnumerateFiles(_dir, "*.ts").Any(), Patience, "every clip finalized", run.EverythingSaid);
        await run.StopAsync();

        // Then
        Assert.Null(run.Failure);
        var clips = run.Clips.OrderBy(c => c.StartedAt).ToList();
        Assert.InRange(clips.Count, 3, 4);
        var framesOfClips = new List<IReadOnlyList<int>>();
        var durations = new List<double>();
        foreach (var clip in clips)
        {
            durations.Add(await VideoFile.DurationSecondsAsync(clip.LocalPath));
            framesOfClips.Add(await VideoFile.FrameNumbersAsync(clip.LocalPath));
            output.WriteLine($"clip {clip.ClipId}: {durations[^1]:0.00} s, frames {framesOfClips[^1][0]}..{framesOfClips[^1][^1]}");
        }

        // + a GOP on each side: cuts fall on keyframes. The last clip may be a short tail (the motion can end
        // just after a rotation), but none is empty.
        Assert.All(durations, d => Assert.InRange(d, 0.05, options.PreRoll.TotalSeconds + options.MaxRecording.TotalSeconds + 2.5));
        Assert.All(durations.SkipLast(1), d => Assert.True(d >= options.MaxRecording.TotalSeconds - 1.5, $"a rotated clip lasted only {d:0.00} s"));

        // Back to back: each clip goes on exactly where the previous one stopped.
        for (var i = 1; i < framesOfClips.Count; i++)
        {
            Assert.Equal(framesOfClips[i - 1][^1] + 1, framesOfClips[i][0]);
        }

        Assert.Equal(clips.Count, clips.Select(c => c.ClipId).Distinct().Count());
    }

    private static int MeasuredFramesAtClip(RtspSourceRun run) =>
        run.Logger.Entries.TakeWhile(e => !e.Text.Contains("recorded (", StringComparison.Ordinal)).Count(e => e.Text.Contains("% changed", StringComparison.Ordinal));
}
