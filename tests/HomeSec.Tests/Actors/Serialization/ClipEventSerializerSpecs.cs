using System.Text.Json;
using System.Text.Json.Nodes;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using Xunit;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Tests.Actors.Serialization;

public sealed class ClipEventSerializerSpecs
{
    [Fact]
    public void Should_read_a_vlm_completed_event_without_usage_when_it_was_stored_before_usage_existed()
    {
        // Given
        const string stored = """
            {"clip_id":"front_door-20261124T120000Z","at":"2026-11-24T12:00:05+00:00",
             "result":{"risk_level":"high","activity_type":"loitering","summary":"A person lingers.","requires_review":false}}
            """;

        // When
        var evt = JsonSerializer.Deserialize<VlmCompleted>(stored, ClipEventSerializer.JsonOptions)!;

        // Then
        Assert.Equal(RiskLevel.High, evt.Result.RiskLevel);
        Assert.Null(evt.Result.Usage);
        Assert.Null(evt.Result.EntitiesTimeline);
    }

    [Fact]
    public void Should_store_token_usage_in_snake_case_when_a_vlm_completed_event_has_it()
    {
        // Given
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, 5, TimeSpan.Zero);
        var evt = new VlmCompleted(ClipId.For("front_door", at), at,
            new AnalysisResult(RiskLevel.Low, "delivery", "A courier leaves a parcel.", false, [new TimelineEntry(1.5, "courier", "leaves a parcel")],
                new TokenUsage(1200, 80, 1280), "gpt-4o-mini"));

        // When
        var json = JsonNode.Parse(JsonSerializer.Serialize(evt, ClipEventSerializer.JsonOptions))!;

        // Then
        Assert.Equal(1200, (int)json["result"]!["usage"]!["prompt_tokens"]!);
        Assert.Equal(80, (int)json["result"]!["usage"]!["completion_tokens"]!);
        Assert.Equal(1280, (int)json["result"]!["usage"]!["total_tokens"]!);
        Assert.Equal(1.5, (double)json["result"]!["entities_timeline"]![0]!["time_s"]!);
        Assert.Equal(evt.Result.Usage, JsonSerializer.Deserialize<VlmCompleted>(json.ToJsonString(), ClipEventSerializer.JsonOptions)!.Result.Usage);
    }

    [Fact]
    public void Should_read_a_filter_completed_event_without_boxes_when_it_was_stored_before_boxes_existed()
    {
        // Given
        const string stored = """
            {"clip_id":"front_door-20261124T120000Z","at":"2026-11-24T12:00:05+00:00",
             "result":{"detected_classes":["person"],"best_confidence":0.8,"sampled_frames":12,"model":"yolo","motion_only":false}}
            """;

        // When
        var evt = JsonSerializer.Deserialize<FilterCompleted>(stored, ClipEventSerializer.JsonOptions)!;

        // Then
        Assert.Equal(["person"], evt.Result.DetectedClasses);
        Assert.Null(evt.Result.Frames);
        Assert.Null(evt.Result.FrameWidth);
    }

    [Fact]
    public void Should_store_the_boxes_per_frame_in_snake_case_when_a_filter_completed_event_has_them()
    {
        // Given
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, 5, TimeSpan.Zero);
        var result = new FilterResult(["person", "car"], 0.91, 6, "yolov8n")
        {
            Frames = [new FrameDetections(1.5, [new DetectedBox("person", 0.91, 80, 200, 240, 520), new DetectedBox("car", 0.7, 600, 300, 900, 500)])],
            FrameWidth = 1280,
            FrameHeight = 720,
        };
        var evt = new FilterCompleted(ClipId.For("front_door", at), at, result);

        // When
        var json = JsonNode.Parse(JsonSerializer.Serialize(evt, ClipEventSerializer.JsonOptions))!;
        var back = JsonSerializer.Deserialize<FilterCompleted>(json.ToJsonString(), ClipEventSerializer.JsonOptions)!;

        // Then
        Assert.Equal(1.5, (double)json["result"]!["frames"]![0]!["time_s"]!);
        Assert.Equal("car", (string?)json["result"]!["frames"]![0]!["boxes"]![1]!["class"]);
        Assert.Equal(1280, (int)json["result"]!["frame_width"]!);
        Assert.Equal(520, back.Result.Frames![0].Boxes[0].Y2);
        Assert.Equal([TimeSpan.FromSeconds(1.5)], back.Result.MomentsOf(["person"]));
    }
}
