using System.Text.Json.Serialization;

namespace HomeSec.Core.Alerts;

/// <summary>What the vision-language model said about a clip.</summary>
/// <param name="EntitiesTimeline">Who or what was seen when, in clip time; null in events written before it existed.</param>
/// <param name="Usage">Tokens the model call cost, when the server reported them.</param>
/// <param name="Model">The model that answered, as the server named it.</param>
public sealed record AnalysisResult(
    RiskLevel RiskLevel,
    string ActivityType,
    string Summary,
    bool RequiresReview = false,
    IReadOnlyList<TimelineEntry>? EntitiesTimeline = null,
    TokenUsage? Usage = null,
    string? Model = null);

/// <param name="AtSeconds">Seconds from the start of the clip (<c>time_s</c>, as in the VLM reply).</param>
/// <param name="Entity">Who or what, e.g. "person in a red jacket".</param>
/// <param name="Action">What it did, e.g. "walks to the front door".</param>
public sealed record TimelineEntry([property: JsonPropertyName("time_s")] double AtSeconds, string Entity, string Action);

public sealed record TokenUsage(int PromptTokens, int CompletionTokens, int TotalTokens);
