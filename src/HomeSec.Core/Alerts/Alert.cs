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
}
