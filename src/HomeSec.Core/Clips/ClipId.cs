using System.Globalization;
using System.Text.RegularExpressions;

namespace HomeSec.Core.Clips;

/// <summary>
/// A clip's identity: camera name and a second-resolution UTC timestamp, plus a
/// deterministic numeric suffix when two clips of one camera share a second.
/// It is also a valid actor name and file name.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ClipIdJsonConverter))]
public readonly partial record struct ClipId
{
    public string Value { get; }

    private ClipId(string value) => Value = value;

    public static ClipId For(string cameraName, DateTimeOffset startedAt, int collisionIndex = 0)
    {
        var stamp = startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var suffix = collisionIndex == 0 ? "" : $"-{collisionIndex + 1}";
        return new ClipId($"{cameraName}-{stamp}{suffix}");
    }

    public static ClipId Parse(string value) =>
        ValidClipId().IsMatch(value)
            ? new ClipId(value)
            : throw new FormatException($"'{value}' is not a clip id (letters, digits, '-' and '_' only)");

    /// <summary>For ids from outside (a URL): false instead of an exception.</summary>
    public static bool TryParse(string? value, out ClipId clipId)
    {
        var valid = value is not null && ValidClipId().IsMatch(value);
        clipId = valid ? new ClipId(value!) : default;
        return valid;
    }

    public override string ToString() => Value;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,200}$")]
    private static partial Regex ValidClipId();
}
