using System.Text.Json;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using Xunit;

namespace HomeSec.Tests.Alerts;

public sealed class RiskLevelsSpecs
{
    [Theory]
    [InlineData("low", RiskLevel.Low)]
    [InlineData("LOW", RiskLevel.Low)]
    [InlineData(" Medium ", RiskLevel.Medium)]
    [InlineData("High", RiskLevel.High)]
    [InlineData("cRiTiCaL", RiskLevel.Critical)]
    [InlineData("0", RiskLevel.Low)]
    [InlineData("1", RiskLevel.Medium)]
    [InlineData("2", RiskLevel.High)]
    [InlineData("3", RiskLevel.Critical)]
    public void Should_parse_the_level_when_the_text_is_a_name_in_any_case_or_a_number_from_0_to_3(string text, RiskLevel expected)
    {
        // Given
        var input = text;

        // When
        var parsed = RiskLevels.TryParse(input, out var level);

        // Then
        Assert.True(parsed);
        Assert.Equal(expected, level);
        Assert.Equal(expected, RiskLevels.Parse(input));
    }

    [Theory]
    [InlineData("severe")]
    [InlineData("lowest")]
    [InlineData("4")]
    [InlineData("-1")]
    [InlineData("1.0")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Should_reject_the_text_when_it_is_not_a_level(string? text)
    {
        // Given
        var input = text;

        // When
        var parsed = RiskLevels.TryParse(input, out var level);

        // Then
        Assert.False(parsed);
        Assert.Null(level);
    }

    [Fact]
    public void Should_throw_a_format_error_listing_the_levels_when_parse_gets_an_unknown_name()
    {
        // Given
        var text = "severe";

        // When
        var exception = Assert.Throws<FormatException>(() => RiskLevels.Parse(text));

        // Then
        Assert.Contains("'severe'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("low, medium, high, critical", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RiskLevel.Low, "low")]
    [InlineData(RiskLevel.Medium, "medium")]
    [InlineData(RiskLevel.High, "high")]
    [InlineData(RiskLevel.Critical, "critical")]
    public void Should_give_the_lowercase_name_when_a_level_is_written_for_the_wire(RiskLevel level, string expected)
    {
        // Given
        var value = level;

        // When
        var name = value.ToWireName();

        // Then
        Assert.Equal(expected, name);
        Assert.Equal(value, RiskLevels.Parse(name));
    }

    [Fact]
    public void Should_throw_when_an_undefined_level_is_written_for_the_wire()
    {
        // Given
        var level = (RiskLevel)7;

        // When
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => level.ToWireName());

        // Then
        Assert.Equal("level", exception.ParamName);
    }

    [Fact]
    public void Should_order_low_medium_high_critical_when_levels_are_compared()
    {
        // Given
        RiskLevel[] shuffled = [RiskLevel.High, RiskLevel.Low, RiskLevel.Critical, RiskLevel.Medium];

        // When
        var sorted = shuffled.Order().ToList();

        // Then
        Assert.Equal([RiskLevel.Low, RiskLevel.Medium, RiskLevel.High, RiskLevel.Critical], sorted);
        Assert.True(RiskLevel.Low < RiskLevel.Medium);
        Assert.True(RiskLevel.Medium < RiskLevel.High);
        Assert.True(RiskLevel.High < RiskLevel.Critical);
    }

    [Theory]
    [InlineData(RiskLevel.Low, "\"low\"")]
    [InlineData(RiskLevel.Critical, "\"critical\"")]
    public void Should_write_the_lowercase_name_when_a_level_is_serialized_to_json(RiskLevel level, string expected)
    {
        // Given
        var value = level;

        // When
        var json = JsonSerializer.Serialize(value);

        // Then
        Assert.Equal(expected, json);
        Assert.Equal(value, JsonSerializer.Deserialize<RiskLevel>(json));
    }

    [Theory]
    [InlineData("\"HIGH\"", RiskLevel.High)]
    [InlineData("2", RiskLevel.High)]
    [InlineData("\"0\"", RiskLevel.Low)]
    public void Should_read_the_level_when_json_has_a_name_in_any_case_or_a_number(string json, RiskLevel expected)
    {
        // Given
        var text = json;

        // When
        var level = JsonSerializer.Deserialize<RiskLevel>(text);

        // Then
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData("\"severe\"")]
    [InlineData("9")]
    public void Should_throw_a_json_error_when_json_has_an_unknown_level(string json)
    {
        // Given
        var text = json;

        // When
        var exception = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RiskLevel>(text));

        // Then
        Assert.Contains(RiskLevels.Allowed, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_round_trip_an_alert_with_a_lowercase_risk_level_when_it_is_serialized()
    {
        // Given
        var alert = new Alert(ClipId.Parse("front_door-20240501T120000Z"), "front_door", "local://front_door/x.mp4", "file:///x.mp4",
            RiskLevel.Medium, "delivery", "risk medium is at or above min_risk_level medium", "a parcel", new DateTimeOffset(2024, 5, 1, 12, 0, 5, TimeSpan.Zero), false);

        // When
        var json = JsonSerializer.Serialize(alert);
        var back = JsonSerializer.Deserialize<Alert>(json);

        // Then
        Assert.Contains("\"risk_level\":\"medium\"", json, StringComparison.Ordinal);
        Assert.Equal(alert, back);
    }

    [Fact]
    public void Should_write_null_when_an_alert_has_no_risk_level()
    {
        // Given
        var alert = new Alert(ClipId.Parse("front_door-20240501T120000Z"), "front_door", null, null,
            null, null, "motion (no detector) and notify_on_motion is on", null, DateTimeOffset.UnixEpoch, true);

        // When
        var json = JsonSerializer.Serialize(alert);
        var back = JsonSerializer.Deserialize<Alert>(json);

        // Then
        Assert.Contains("\"risk_level\":null", json, StringComparison.Ordinal);
        Assert.Equal(alert, back);
    }
}
