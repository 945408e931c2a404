using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeSec.Core.Clips;

/// <summary>queued_local → uploaded → analyzed → done | error | deleted.</summary>
[JsonConverter(typeof(ClipStatusJsonConverter))]
public enum ClipStatus
{
    QueuedLocal,
    Uploaded,
    Analyzed,
    Done,
    Error,
    Deleted,
}

public static class ClipStatusNames
{
    public static string ToWireName(this ClipStatus status) => status switch
    {
        ClipStatus.QueuedLocal => "queued_local",
        ClipStatus.Uploaded => "uploaded",
        ClipStatus.Analyzed => "analyzed",
        ClipStatus.Done => "done",
        ClipStatus.Error => "error",
        ClipStatus.Deleted => "deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

public sealed class ClipStatusJsonConverter : JsonConverter<ClipStatus>
{
    public override ClipStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        foreach (var status in Enum.GetValues<ClipStatus>())
        {
            if (status.ToWireName() == text)
            {
                return status;
            }
        }

        throw new JsonException($"'{text}' is not a clip status");
    }

    public override void Write(Utf8JsonWriter writer, ClipStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToWireName());
}
