using HomeSec.Core.Inference;
using HomeSec.Core.Plugins.Filters.Yolo;
using Xunit;

namespace HomeSec.Tests.Plugins.Filters.Yolo;

/// <summary>What the yolo filter keeps of the model's candidates: classes, confidence, minimum box height, NMS, source coordinates.</summary>
public sealed class YoloFilterKeepSpecs
{
    private static readonly DetectorModel Coco = new("/models/yolov8n.onnx", "yolov8n", "images", 640, 640, "output0", YoloLayout.ChannelsFirst, CocoClasses.Names, true);

    // 1280x720 in 640x640: scale 2, 140 px of padding above and below.
    private static readonly Letterbox Box = Letterbox.For(1280, 720, 640, 640);

    private static YoloFilter Filter(double minBoxHeightRatio = 0, float minConfidence = 0.5f, params string[] classes) =>
        new(new YoloFilterOptions(Coco, 2, minConfidence, 0.45f, minBoxHeightRatio, classes, true, InferenceOptions.Default), new NoDetector(), ["person"]);

    [Fact]
    public void Should_keep_a_car_a_truck_and_a_bicycle_in_source_pixels_when_every_class_is_allowed()
    {
        // Given
        Detection[] candidates = [new(2, 0.8f, 100, 200, 200, 300), new(7, 0.7f, 300, 200, 400, 300), new(1, 0.6f, 500, 200, 540, 260)];

        // When
        var kept = Filter().Keep(candidates, Box);

        // Then
        Assert.Equal(["car", "truck", "bicycle"], kept.Select(b => b.Class));
        Assert.Equal(new HomeSec.Core.Alerts.DetectedBox("car", 0.8, 200, 120, 400, 320), kept[0]);
    }

    [Fact]
    public void Should_keep_only_the_configured_classes_when_classes_are_given()
    {
        // Given
        Detection[] candidates = [new(0, 0.9f, 100, 200, 200, 400), new(16, 0.8f, 300, 300, 400, 400), new(2, 0.7f, 450, 300, 600, 400)];

        // When
        var kept = Filter(classes: ["person", "car"]).Keep(candidates, Box);

        // Then
        Assert.Equal(["person", "car"], kept.Select(b => b.Class));
    }

    [Fact]
    public void Should_drop_boxes_below_the_minimum_confidence_when_the_detector_sent_them()
    {
        // Given
        Detection[] candidates = [new(0, 0.55f, 100, 200, 200, 400), new(0, 0.75f, 300, 200, 400, 400)];

        // When
        var kept = Filter(minConfidence: 0.6f).Keep(candidates, Box);

        // Then
        Assert.Equal([0.75], kept.Select(b => b.Confidence));
    }

    [Fact]
    public void Should_drop_boxes_shorter_than_the_minimum_height_ratio_of_the_source_frame()
    {
        // Given
        // 40 model px = 80 source px = 11 % of 720; 100 model px = 200 source px = 28 %
        Detection[] candidates = [new(0, 0.9f, 100, 200, 120, 240), new(0, 0.8f, 300, 200, 340, 300)];

        // When
        var kept = Filter(minBoxHeightRatio: 0.2).Keep(candidates, Box);

        // Then
        var box = Assert.Single(kept);
        Assert.Equal(200, box.Y2 - box.Y1);
    }

    [Fact]
    public void Should_suppress_the_duplicate_when_two_boxes_of_a_class_overlap()
    {
        // Given
        Detection[] candidates = [new(0, 0.9f, 100, 200, 200, 400), new(0, 0.8f, 104, 204, 204, 404)];

        // When
        var kept = Filter().Keep(candidates, Box);

        // Then
        Assert.Equal(0.9, Assert.Single(kept).Confidence);
    }

    private sealed class NoDetector : IDetector
    {
        public Task<IReadOnlyList<Detection>> DetectAsync(byte[] frame, float minConfidence, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Detection>>([]);
    }
}
