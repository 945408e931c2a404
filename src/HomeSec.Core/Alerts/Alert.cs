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

    /// <summary>
    /// <c>detected</c>: the fast alert while the clip is still being recorded (class, zones, no summary yet);
    /// <c>final</c>: the alert of the finished clip (summary, risk, link). Both carry the same <see cref="DedupeKey"/>.
    /// </summary>
    [JsonPropertyName("phase")]
    public string Phase { get; init; } = AlertPhases.Final;

    /// <summary>Phase detected: what was seen (e.g. person), and when the frame arrived.</summary>
    [JsonPropertyName("detected_class")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DetectedClass { get; init; }

    /// <summary>The trigger classes the detector saw (absent for an alert on plain motion): Home Assistant's person sensor keys on it.</summary>
    [JsonPropertyName("detected_classes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? DetectedClasses { get; init; }

    [JsonPropertyName("detected_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? DetectedAt { get; init; }

    /// <summary>Phase final after a detected alert whose clip turned out harmless: the all-clear.</summary>
    [JsonPropertyName("stand_down")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool StandDown { get; init; }

    /// <summary>The required zones the objects were in, when the camera has any.</summary>
    [JsonPropertyName("zones")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Zones { get; init; }
}

/// <summary>The two phases of an alert (notifiers[].phases picks which a notifier delivers).</summary>
public static class AlertPhases
{
    public const string Detected = "detected";
    public const string Final = "final";

    public static IReadOnlyList<string> All { get; } = [Detected, Final];
}
