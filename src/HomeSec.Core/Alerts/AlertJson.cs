using System.Text.Json;

namespace HomeSec.Core.Alerts;

/// <summary>The alert contract as JSON: what the mqtt notifier publishes and the webhook notifier posts, byte for byte.</summary>
public static class AlertJson
{
    public static byte[] Serialize(Alert alert) => JsonSerializer.SerializeToUtf8Bytes(alert);
}
