using HomeSec.Core.Inference;
using Xunit;

namespace HomeSec.Tests.Plugins.Filters.Yolo;

public sealed class NonMaxSuppressionSpecs
{
    [Fact]
    public void Should_keep_only_the_best_box_when_boxes_of_one_class_overlap()
    {
        // Given
        Detection[] candidates =
        [
            new(0, 0.7f, 12, 12, 112, 112),
            new(0, 0.9f, 10, 10, 110, 110),
            new(0, 0.8f, 8, 8, 108, 108),
        ];

        // When
        var kept = NonMaxSuppression.Apply(candidates, iouThreshold: 0.45f);

        // Then
        Assert.Equal([new Detection(0, 0.9f, 10, 10, 110, 110)], kept);
    }

    [Fact]
    public void Should_keep_overlapping_boxes_when_they_are_of_different_classes()
    {
        // Given
        Detection[] candidates = [new(0, 0.9f, 10, 10, 110, 110), new(2, 0.8f, 10, 10, 110, 110)];

        // When
        var kept = NonMaxSuppression.Apply(candidates, 0.45f);

        // Then
        Assert.Equal(2, kept.Count);
    }

    [Fact]
    public void Should_keep_boxes_of_one_class_when_they_overlap_less_than_the_threshold()
    {
        // Given
        Detection[] candidates = [new(0, 0.9f, 0, 0, 100, 100), new(0, 0.8f, 60, 0, 160, 100)];

        // When
        var kept = NonMaxSuppression.Apply(candidates, 0.45f);

        // Then
        Assert.Equal(2, kept.Count);
        Assert.Equal(0.25f, Detection.IntersectionOverUnion(candidates[0], candidates[1]), 3);
    }
}
