using System.Text.Json;
using HomeSec.Core.Clips;
using Xunit;

namespace HomeSec.Tests.Clips;

public sealed class ClipIdSpecs
{
    [Fact]
    public void Should_be_camera_and_utc_second_when_made_for_a_clip()
    {
        // Given
        var startedAt = new DateTimeOffset(2024, 5, 1, 14, 3, 9, 987, TimeSpan.FromHours(2));

        // When
        var id = ClipId.For("front_door", startedAt);

        // Then
        Assert.Equal("front_door-20240501T120309Z", id.Value);
        Assert.Equal(id.Value, id.ToString());
    }

    [Theory]
    [InlineData(1, "front_door-20240501T120000Z-2")]
    [InlineData(2, "front_door-20240501T120000Z-3")]
    public void Should_add_a_numeric_suffix_when_clips_collide_in_one_second(int collisionIndex, string expected)
    {
        // Given
        var startedAt = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

        // When
        var id = ClipId.For("front_door", startedAt, collisionIndex);

        // Then
        Assert.Equal(expected, id.Value);
        Assert.NotEqual(ClipId.For("front_door", startedAt), id);
    }

    [Theory]
    [InlineData("front_door-20240501T120000Z")]
    [InlineData("a")]
    public void Should_parse_the_id_when_it_has_only_letters_digits_dashes_and_underscores(string text)
    {
        // Given
        var input = text;

        // When
        var id = ClipId.Parse(input);

        // Then
        Assert.Equal(input, id.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../etc/passwd")]
    [InlineData("front door")]
    [InlineData("cam/1")]
    public void Should_reject_the_text_when_it_is_not_a_valid_id(string text)
    {
        // Given
        var input = text;

        // When
        var exception = Assert.Throws<FormatException>(() => ClipId.Parse(input));

        // Then
        Assert.Contains("not a clip id", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_be_a_plain_json_string_when_serialized()
    {
        // Given
        var id = ClipId.Parse("front_door-20240501T120000Z-2");

        // When
        var json = JsonSerializer.Serialize(id);

        // Then
        Assert.Equal("\"front_door-20240501T120000Z-2\"", json);
        Assert.Equal(id, JsonSerializer.Deserialize<ClipId>(json));
    }
}
