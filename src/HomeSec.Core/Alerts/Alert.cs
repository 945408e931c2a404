using System.Text.Json.Serialization;
using HomeSec.Core.Clips;

namespace HomeSec.Core.Alerts;

/// <summary>The alert contract every notifier delivers (DESIGN.md, MQTT alert contract).</summary>
public sealed record Alert(
    [property: JsonPropertyName("clip_id")] ClipId ClipId,
    [property: JsonPropertyName("camera_name")] string CameraName,
    [property: JsonPropertyName("storage_uri")] string? StorageUri,
    [property: JsonPropertyName("view_url")] string? ViewUrl,
    [property: JsonPropertyName("risk_level")] RiskLevel? RiskLevel,
    [property: JsonPropertyName("activity_type")] string? ActivityType,
    [property: JsonPropertyName("notify_reason")] string NotifyReason,
    [property: JsonPropertyName("summary")] string? Summary,
    [property: JsonPropertyName("ts")] DateTimeOffset Ts,
    [property: JsonPropertyName("upload_failed")] bool UploadFailed)
{
    [JsonPropertyName("dedupe_key")]
    public string DedupeKey => ClipId.Value;

    /// <summary>The snapshot in storage (best detection with its box), when there is one.</summary>
    [JsonPropertyName("snapshot_uri")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SnapshotUri { get; init; }

    /// <summary>The snapshot on this machine, for notifiers that attach it (email, MQTT image); never in the JSON contract.</summary>
    [JsonIgnore]
    public string? SnapshotPath { get; init; }

    /// <summary>The required zones the objects were in, when the camera has any.</summary>
    [JsonPropertyName("zones")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Zones { get; init; }
}
