using System.Text.Json;
using System.Text.Json.Serialization;

namespace HomeSec.Core.Clips;

public sealed class ClipIdJsonConverter : JsonConverter<ClipId>
{
    public override ClipId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ClipId.Parse(reader.GetString() ?? throw new JsonException("clip id is null"));

    public override void Write(Utf8JsonWriter writer, ClipId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
