using HomeSec.Core.Alerts;
using Xunit;

namespace HomeSec.Tests.Alerts;

public sealed class FilterResultSpecs
{
    [Fact]
    public void Should_give_the_detected_trigger_classes_ignoring_case_when_some_were_seen()
    {
        // Given
        var result = new FilterResult(["dog", "Person", "car"], 0.9, 12, "yolo");

        // When
        var triggered = result.TriggeredBy(["person", "car"]);

        // Then
        Assert.Equal(["Person", "car"], triggered);
    }

    [Fact]
    public void Should_give_nothing_when_no_trigger_class_was_seen()
    {
        // Given
        var result = new FilterResult(["dog", "cat"], 0.8, 12, "yolo");

        // When
        var triggered = result.TriggeredBy(["person"]);

        // Then
        Assert.Empty(triggered);
    }

    [Fact]
    public void Should_be_motion_only_with_no_classes_when_no_detector_ran()
    {
        // Given
        var result = FilterResult.NoDetector;

        // When
        var triggered = result.TriggeredBy(["person"]);

        // Then
        Assert.True(result.MotionOnly);
        Assert.Empty(result.DetectedClasses);
        Assert.Empty(triggered);
    }
}
