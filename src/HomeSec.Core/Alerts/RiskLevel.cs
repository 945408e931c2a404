using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeSec.Core.Alerts;

/// <summary>Ordered: low &lt; medium &lt; high &lt; critical.</summary>
[JsonConverter(typeof(RiskLevelJsonConverter))]
public enum RiskLevel
{
    Low = 0,
    Medium = 1,
    High = 2,
    Critical = 3,
}

public static class RiskLevels
{
    public const string Allowed = "low, medium, high, critical (or 0-3)";

    /// <summary>Accepts the names in any case, or the numbers 0 to 3.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out RiskLevel? level)
    {
        level = text?.Trim().ToLowerInvariant() switch
        {
            "low" or "0" => RiskLevel.Low,
            "medium" or "1" => RiskLevel.Medium,
            "high" or "2" => RiskLevel.High,
            "critical" or "3" => RiskLevel.Critical,
            _ => null,
        };
        return level is not null;
    }

    public static RiskLevel Parse(string text) =>
        TryParse(text, out var level)
            ? level.Value
            : throw new FormatException($"'{text}' is not a risk level; allowed: {Allowed}");

    public static string ToWireName(this RiskLevel level) => level switch
    {
        RiskLevel.Low => "low",
        RiskLevel.Medium => "medium",
        RiskLevel.High => "high",
        RiskLevel.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };
}

public sealed class RiskLevelJsonConverter : JsonConverter<RiskLevel>
{
    public override RiskLevel Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.Number ? reader.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : reader.GetString();
        return RiskLevels.TryParse(text, out var level)
            ? level.Value
            : throw new JsonException($"'{text}' is not a risk level; allowed: {RiskLevels.Allowed}");
    }

    public override void Write(Utf8JsonWriter writer, RiskLevel value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToWireName());
}
