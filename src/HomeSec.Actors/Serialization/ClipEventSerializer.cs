using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using System.Runtime.Serialization;
using Akka.Serialization;
using HomeSec.Core.Clips;

namespace HomeSec.Actors.Serialization;

/// <summary>
/// Stores clip events as plain, versionable JSON (snake_case) with the event's wire name as manifest,
/// instead of Akka's default serializer that embeds .NET type names.
/// </summary>
public sealed class ClipEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 4101;

    private static readonly IReadOnlyDictionary<string, Type> TypesByManifest =
        ClipEvents.WireNames.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public override int Identifier => SerializerId;

    public static bool TryTypeOf(string manifest, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        TypesByManifest.TryGetValue(manifest, out type);

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), JsonOptions);

    public override object FromBinary(byte[] bytes, string manifest) =>
        TypesByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, JsonOptions) ?? throw new SerializationException($"empty payload for clip event '{manifest}'")
            : throw new SerializationException($"unknown clip event manifest '{manifest}'");

    public override string Manifest(object o) =>
        ClipEvents.WireNames.TryGetValue(o.GetType(), out var name)
            ? name
            : throw new ArgumentException($"{o.GetType()} is not a clip event", nameof(o));
}
