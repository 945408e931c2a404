using System.Text.Json.Nodes;
using HomeSec.Core.Alerts;

namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>The JSON schema of the reply, strict in OpenAI's sense (every key required, no others).</summary>
public static class AnalysisJsonSchema
{
    public const string Name = "homesec_clip_analysis";

    public static IReadOnlyList<string> RiskLevelNames { get; } =
        Enum.GetValues<RiskLevel>().Select(level => level.ToWireName()).ToList();

    public static JsonObject For(ActivityVocabulary activityTypes) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["risk_level"] = new JsonObject { ["type"] = "string", ["enum"] = Strings(RiskLevelNames) },
            ["activity_type"] = new JsonObject { ["type"] = "string", ["enum"] = Strings(activityTypes.Names) },
            ["summary"] = new JsonObject { ["type"] = "string" },
            ["entities_timeline"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["time_s"] = new JsonObject { ["type"] = "number" },
                        ["entity"] = new JsonObject { ["type"] = "string" },
                        ["action"] = new JsonObject { ["type"] = "string" },
                    },
                    ["required"] = Strings(["time_s", "entity", "action"]),
                    ["additionalProperties"] = false,
                },
            },
            ["requires_review"] = new JsonObject { ["type"] = "boolean" },
        },
        ["required"] = Strings(["risk_level", "activity_type", "summary", "entities_timeline", "requires_review"]),
        ["additionalProperties"] = false,
    };

    /// <summary>The same contract in words, for servers that get no schema (json_object and text modes) and as a reminder for all.</summary>
    public static string Instructions(ActivityVocabulary activityTypes) =>
        $"""
         Answer with exactly one JSON object and nothing else (no markdown, no code fence), with these keys:
         "risk_level": one of {string.Join(", ", RiskLevelNames)};
         "activity_type": one of {activityTypes.Allowed};
         "summary": one or two plain sentences on what happens;
         "entities_timeline": a list of objects {"{"}"time_s": seconds from the clip start, "entity": who or what, "action": what it does{"}"};
         "requires_review": true or false.
         """;

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
