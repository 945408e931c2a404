using System.Text.Json;
using System.Text.Json.Nodes;
using HomeSec.Core.Alerts;

namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>
/// Turns the model's message into an <see cref="AnalysisResult"/>, checking it against the schema. risk_level,
/// activity_type and summary must be valid; entities_timeline and requires_review may be missing (models outside
/// json_schema mode often drop them) but must have the right shape when present.
/// </summary>
public static class AnalysisReplyParser
{
    public static AnalysisResult Parse(string reply, ActivityVocabulary activityTypes)
    {
        var json = ExtractJsonObject(reply) ?? throw new VlmReplyException("it contains no JSON object", reply);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new VlmReplyException($"it is not valid JSON ({ex.Message})", reply);
        }

        if (node is not JsonObject analysis)
        {
            throw new VlmReplyException("it is not a JSON object", reply);
        }

        var problems = new List<string>();
        var riskText = StringOf(analysis, "risk_level");
        RiskLevel? risk = riskText is not null && AnalysisJsonSchema.RiskLevelNames.Contains(riskText.Trim().ToLowerInvariant())
            ? RiskLevels.Parse(riskText)
            : null;
        if (risk is null)
        {
            problems.Add($"risk_level {Show(analysis["risk_level"])} is not one of {string.Join(", ", AnalysisJsonSchema.RiskLevelNames)}");
        }

        var activity = StringOf(analysis, "activity_type")?.Trim().ToLowerInvariant();
        if (activity is null || !activityTypes.Contains(activity))
        {
            problems.Add($"activity_type {Show(analysis["activity_type"])} is not one of {activityTypes.Allowed}");
        }

        var summary = StringOf(analysis, "summary")?.Trim();
        if (string.IsNullOrEmpty(summary))
        {
            problems.Add($"summary {Show(analysis["summary"])} is not a non-empty text");
        }

        var timeline = ReadTimeline(analysis["entities_timeline"], problems);
        var requiresReview = false;
        switch (analysis["requires_review"])
        {
            case null:
                break;
            case JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                requiresReview = value.GetValue<bool>();
                break;
            case var other:
                problems.Add($"requires_review {Show(other)} is not true or false");
                break;
        }

        return problems.Count > 0
            ? throw new VlmReplyException(string.Join("; ", problems), reply)
            : new AnalysisResult(risk!.Value, activity!, summary!, requiresReview, timeline);
    }

    private static List<TimelineEntry> ReadTimeline(JsonNode? node, List<string> problems)
    {
        var timeline = new List<TimelineEntry>();
        if (node is null)
        {
            return timeline;
        }

        if (node is not JsonArray entries)
        {
            problems.Add($"entities_timeline {Show(node)} is not a list");
            return timeline;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is JsonObject entry
                && entry["time_s"] is JsonValue time && time.GetValueKind() == JsonValueKind.Number
                && StringOf(entry, "entity") is { } entity
                && StringOf(entry, "action") is { } action)
            {
                timeline.Add(new TimelineEntry(time.GetValue<double>(), entity, action));
            }
            else
            {
                problems.Add($"entities_timeline[{i}] {Show(entries[i])} is not {{time_s: number, entity: text, action: text}}");
            }
        }

        return timeline;
    }

    /// <summary>Models asked for JSON in the prompt often wrap it in a code fence or a sentence: take the outermost object.</summary>
    private static string? ExtractJsonObject(string reply)
    {
        var start = reply.IndexOf('{', StringComparison.Ordinal);
        var end = reply.LastIndexOf('}');
        return start >= 0 && end > start ? reply[start..(end + 1)] : null;
    }

    private static string? StringOf(JsonObject owner, string key) =>
        owner[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static string Show(JsonNode? node) => node is null ? "(missing)" : VlmReplyException.Truncated(node.ToJsonString(), 80);
}
