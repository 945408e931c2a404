using System.Text.Json.Nodes;

namespace HomeSec.Core.Plugins.Notifiers.Mqtt;

/// <summary>
/// Home Assistant MQTT discovery messages (retained) for every camera: a binary_sensor that turns on
/// with each alert and off after <c>off_delay</c>, and a sensor showing the last alert's summary with
/// the rest of the alert as attributes. Both read the camera's alert topic, so an alert is one publish.
/// Unique ids depend only on the node id and the camera name, so they are stable across restarts.
/// </summary>
public static class HomeAssistantDiscovery
{
    public sealed record DiscoveryMessage(string Topic, string Payload);

    public static IReadOnlyList<DiscoveryMessage> Messages(MqttNotifierOptions options, IEnumerable<string> cameraNames)
    {
        var ha = options.HomeAssistant;
        var messages = new List<DiscoveryMessage>();
        foreach (var camera in cameraNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var alertTopic = options.TopicFor(camera);
            var alertId = $"{ha.NodeId}_{camera}_alert";
            var lastAlertId = $"{ha.NodeId}_{camera}_last_alert";

            var binarySensor = Common(options, camera, "binary_sensor", alertId, "Person alert", alertTopic);
            binarySensor["device_class"] = "occupancy";
            // On only when the detector saw a trigger class (a person, not plain motion); an empty result leaves the state as it is.
            binarySensor["value_template"] = "{{ 'ON' if value_json.detected_classes is defined and value_json.detected_classes else '' }}";
            binarySensor["payload_on"] = "ON";
            binarySensor["payload_off"] = "OFF";
            binarySensor["off_delay"] = ha.OffDelaySeconds;
            binarySensor["icon"] = "mdi:cctv";
            messages.Add(new DiscoveryMessage($"{ha.DiscoveryPrefix}/binary_sensor/{ha.NodeId}/{camera}_alert/config", binarySensor.ToJsonString()));

            var sensor = Common(options, camera, "sensor", lastAlertId, "Last alert", alertTopic);
            // A state is at most 255 characters in Home Assistant; the full alert is in the attributes.
            sensor["value_template"] = "{{ (value_json.summary or value_json.notify_reason or '')[:250] }}";
            sensor["json_attributes_topic"] = alertTopic;
            sensor["json_attributes_template"] =
                "{{ {'risk_level': value_json.risk_level, 'activity_type': value_json.activity_type, 'notify_reason': value_json.notify_reason, " +
                "'clip_id': value_json.clip_id, 'view_url': value_json.view_url, 'ts': value_json.ts, 'upload_failed': value_json.upload_failed} | tojson }}";
            sensor["icon"] = "mdi:message-alert";
            messages.Add(new DiscoveryMessage($"{ha.DiscoveryPrefix}/sensor/{ha.NodeId}/{camera}_last_alert/config", sensor.ToJsonString()));

            // The last snapshot: an image entity fed with the JPEG bytes of the camera's snapshot topic.
            var imageId = $"{ha.NodeId}_{camera}_snapshot";
            var image = Common(options, camera, "image", imageId, "Last snapshot", options.SnapshotTopicFor(camera));
            image.Remove("state_topic");
            image["image_topic"] = options.SnapshotTopicFor(camera);
            image["content_type"] = "image/jpeg";
            messages.Add(new DiscoveryMessage($"{ha.DiscoveryPrefix}/image/{ha.NodeId}/{camera}_snapshot/config", image.ToJsonString()));
        }

        return messages;
    }

    /// <summary>A <c>select</c> entity for the armed mode (home, away, off): its state on the mode topic, its commands on the command topic.</summary>
    public static DiscoveryMessage ModeSelect(MqttNotifierOptions options)
    {
        var ha = options.HomeAssistant;
        var id = $"{ha.NodeId}_mode";
        var select = new JsonObject
        {
            ["name"] = "Armed mode",
            ["unique_id"] = id,
            ["default_entity_id"] = $"select.{id}",
            ["state_topic"] = options.ModeTopic,
            ["command_topic"] = options.ModeCommandTopic,
            ["options"] = new JsonArray("home", "away", "off"),
            ["availability_topic"] = options.AvailabilityTopic,
            ["payload_available"] = MqttNotifierOptions.Online,
            ["payload_not_available"] = MqttNotifierOptions.Offline,
            ["qos"] = options.Qos,
            ["icon"] = "mdi:shield-home",
            ["origin"] = Origin(),
            ["device"] = new JsonObject
            {
                ["identifiers"] = new JsonArray($"{ha.NodeId}_hub"),
                ["name"] = "HomeSec",
                ["manufacturer"] = "HomeSec",
                ["model"] = "HomeSec NVR",
            },
        };
        return new DiscoveryMessage($"{ha.DiscoveryPrefix}/select/{ha.NodeId}/mode/config", select.ToJsonString());
    }

    /// <summary>The keys every entity has; <c>default_entity_id</c> replaces the <c>object_id</c> Home Assistant deprecated in 2025.10.</summary>
    private static JsonObject Common(MqttNotifierOptions options, string camera, string component, string uniqueId, string name, string stateTopic) => new()
    {
        ["name"] = name,
        ["unique_id"] = uniqueId,
        ["default_entity_id"] = $"{component}.{uniqueId}",
        ["origin"] = Origin(),
        ["state_topic"] = stateTopic,
        ["availability_topic"] = options.AvailabilityTopic,
        ["payload_available"] = MqttNotifierOptions.Online,
        ["payload_not_available"] = MqttNotifierOptions.Offline,
        ["qos"] = options.Qos,
        ["device"] = Device(options, camera),
    };

    /// <summary>Who made the discovery message (shown by Home Assistant).</summary>
    private static JsonObject Origin() => new()
    {
        ["name"] = "HomeSec",
        ["sw_version"] = typeof(HomeAssistantDiscovery).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
    };

    /// <summary>One device per camera, shared by its entities.</summary>
    private static JsonObject Device(MqttNotifierOptions options, string camera) => new()
    {
        ["identifiers"] = new JsonArray($"{options.HomeAssistant.NodeId}_{camera}"),
        ["name"] = $"HomeSec {camera}",
        ["manufacturer"] = "HomeSec",
        ["model"] = "HomeSec camera",
    };

    /// <summary>The keys Home Assistant requires or HomeSec always sets, for tests and validation.</summary>
    public static IReadOnlyList<string> RequiredKeys { get; } = ["name", "unique_id", "state_topic", "device", "availability_topic"];
}
