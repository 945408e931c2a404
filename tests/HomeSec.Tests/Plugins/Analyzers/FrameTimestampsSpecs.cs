using HomeSec.Core.Plugins.Analyzers.OpenAi;
using Xunit;

namespace HomeSec.Tests.Plugins.Analyzers;

public sealed class FrameTimestampsSpecs
{
    [Fact]
    public void Should_space_the_frames_evenly_over_the_clip_when_no_timestamps_are_preferred()
    {
        // Given
        var duration = TimeSpan.FromSeconds(10);

        // When
        var chosen = FrameTimestamps.Choose(duration, 4, []);

        // Then
        Assert.Equal([1.25, 3.75, 6.25, 8.75], chosen.Select(t => t.TotalSeconds));
    }

    [Fact]
    public void Should_take_a_preferred_timestamp_and_fill_the_rest_evenly_when_the_detector_reports_where_it_saw_a_trigger()
    {
        // Given
        var duration = TimeSpan.FromSeconds(12);
        IReadOnlyList<TimeSpan> preferred = [TimeSpan.FromSeconds(2.5)];

        // When
        var chosen = FrameTimestamps.Choose(duration, 3, preferred);

        // Then
        Assert.Equal([2.5, 6, 10], chosen.Select(t => t.TotalSeconds));
    }

    [Fact]
    public void Should_show_the_whole_clip_with_one_frame_per_part_when_more_are_preferred_than_fit()
    {
        // Given: the detector saw something in each of the first 8 seconds of a 20 s clip
        IReadOnlyList<TimeSpan> preferred = Enumerable.Range(0, 8).Select(i => TimeSpan.FromSeconds(i)).ToList();

        // When
        var chosen = FrameTimestamps.Choose(TimeSpan.FromSeconds(20), 4, preferred);

        // Then: the parts 0-5 s and 5-10 s show a detection, the parts after them their middle
        Assert.Equal([0, 5, 12.5, 17.5], chosen.Select(t => t.TotalSeconds));
    }

    [Fact]
    public void Should_reach_the_end_of_the_clip_when_detection_frames_cluster_at_its_start()
    {
        // Given: a 60 s clip whose detections are all in its first 3 seconds
        IReadOnlyList<TimeSpan> preferred = new[] { 1, 0.5, 2, 1.5, 2.5 }.Select(TimeSpan.FromSeconds).ToList();

        // When
        var chosen = FrameTimestamps.Choose(TimeSpan.FromSeconds(60), 8, preferred);

        // Then: the best detection is kept and the last frame lies in the last eighth of the clip
        Assert.Equal(8, chosen.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), chosen[0]);
        Assert.True(chosen[^1] >= TimeSpan.FromSeconds(52.5), $"last frame at {chosen[^1].TotalSeconds} s");
        Assert.Equal(chosen.Order(), chosen);
    }

    [Fact]
    public void Should_keep_the_best_detection_of_a_part_when_several_fall_into_it()
    {
        // Given: best confidence first, both in the second half of a 10 s clip
        IReadOnlyList<TimeSpan> preferred = [TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(6)];

        // When
        var chosen = FrameTimestamps.Choose(TimeSpan.FromSeconds(10), 2, preferred);

        // Then
        Assert.Equal([2.5, 9], chosen.Select(t => t.TotalSeconds));
    }

    [Fact]
    public void Should_take_the_first_frame_only_when_the_clip_length_is_unknown()
    {
        // Given
        var unknown = TimeSpan.Zero;

        // When
        var chosen = FrameTimestamps.Choose(unknown, 5, []);

        // Then
        Assert.Equal([TimeSpan.Zero], chosen);
    }
}
