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
    public void Should_spread_the_choice_over_the_preferred_timestamps_when_more_are_preferred_than_fit()
    {
        // Given
        IReadOnlyList<TimeSpan> preferred = Enumerable.Range(0, 8).Select(i => TimeSpan.FromSeconds(i)).ToList();

        // When
        var chosen = FrameTimestamps.Choose(TimeSpan.FromSeconds(20), 4, preferred);

        // Then
        Assert.Equal([0, 2, 4, 6], chosen.Select(t => t.TotalSeconds));
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
