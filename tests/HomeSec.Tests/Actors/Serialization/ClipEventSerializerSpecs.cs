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
}
