using HomeSec.Core.Config;

namespace HomeSec.Core.Plugins.Notifiers.Mqtt;

/// <summary>Options of the <c>mqtt</c> notifier (config keys in snake_case; see config/example.yaml).</summary>
/// <param name="TopicTemplate">Alert topic; <c>{camera_name}</c> is replaced by the camera's name.</param>
/// <param name="Qos">0, 1 or 2.</param>
/// <param name="AvailabilityTopic">Gets <c>online</c> (retained) on connect, and <c>offline</c> as the last will.</param>
public sealed record MqttNotifierOptions(
    string Host,
    int Port,
    string ClientId,
    MqttAuth? Auth,
    MqttTlsOptions Tls,
    string TopicTemplate,
    int Qos,
    bool Retain,
    string AvailabilityTopic,
    TimeSpan KeepAlive,
    TimeSpan MinReconnectBackoff,
    TimeSpan MaxReconnectBackoff,
    HomeAssistantOptions HomeAssistant)
{
    /// <summary>The armed mode is published here (retained) when it changes and on connect.</summary>
    public string ModeTopic { get; init; } = "homecam/mode";

    /// <summary>Publishing <c>home</c>, <c>away</c> or <c>off</c> here sets the armed mode (Home Assistant's select does).</summary>
    public string ModeCommandTopic { get; init; } = "homecam/mode/set";

    public const string CameraPlaceholder = "{camera_name}";
    public const string Online = "online";
    public const string Offline = "offline";

    public string TopicFor(string cameraName) => TopicTemplate.Replace(CameraPlaceholder, cameraName, StringComparison.Ordinal);

    /// <summary>Where a camera's last snapshot (JPEG, retained) is published: <c>snapshot_topic_template</c>.</summary>
    public string SnapshotTopicTemplate { get; init; } = "homecam/snapshot/{camera_name}";

    public string SnapshotTopicFor(string cameraName) => SnapshotTopicTemplate.Replace(CameraPlaceholder, cameraName, StringComparison.Ordinal);

    public string Endpoint => $"{Host}:{Port}";

    public static MqttNotifierOptions Read(ConfigSection config)
    {
        var host = config.RequiredString("host");
        var port = config.Int("port", 1883, 1, 65535);
        var clientId = config.String("client_id", "homesec")!;
        var auth = ReadAuth(config.Section("auth"));
        var tlsSection = config.Section("tls");
        var tls = new MqttTlsOptions(
            tlsSection.Bool("enabled", false),
            tlsSection.String("ca_file") is { } ca ? System.IO.Path.GetFullPath(ca) : null,
            tlsSection.Bool("allow_untrusted", false));
        if (tls.CaFile is { } caFile && !File.Exists(caFile))
        {
            tlsSection.Error("ca_file", $"'{caFile}' does not exist");
        }

        var topicTemplate = config.String("topic_template", "homecam/alerts/{camera_name}")!;
        var withoutPlaceholder = topicTemplate.Replace(CameraPlaceholder, "", StringComparison.Ordinal);
        if (withoutPlaceholder.IndexOfAny(['{', '}', '#', '+']) >= 0 || topicTemplate.Length == 0)
        {
            config.Error("topic_template", $"'{topicTemplate}' is not allowed; a topic without wildcards (#, +) whose only placeholder is {CameraPlaceholder}");
        }

        var qos = config.Int("qos", 1, 0, 2);
        var retain = config.Bool("retain", false);
        var availability = config.String("availability_topic", "homecam/status")!;
        var keepAlive = config.Seconds("keepalive_s", 30, 5, 3600);
        var reconnect = config.Section("reconnect");
        var minBackoff = reconnect.Seconds("min_backoff_s", 1, 0.05, 3600);
        var maxBackoff = reconnect.Seconds("max_backoff_s", 60, 0.05, 86400);
        if (maxBackoff < minBackoff)
        {
            reconnect.Error("max_backoff_s", $"'{maxBackoff.TotalSeconds}' is below min_backoff_s ({minBackoff.TotalSeconds})");
        }

        var ha = config.Section("home_assistant");
        var homeAssistant = new HomeAssistantOptions(
            ha.Bool("discovery", false),
            ha.String("discovery_prefix", "homeassistant")!,
            ha.String("node_id", "homesec")!,
            ha.Int("off_delay_s", 30, 1, 86400));
        if (!System.Text.RegularExpressions.Regex.IsMatch(homeAssistant.NodeId, "^[a-zA-Z0-9_-]+$"))
        {
            ha.Error("node_id", $"'{homeAssistant.NodeId}' is not allowed; use letters, digits, '_' and '-'");
        }

        var snapshotTopic = config.String("snapshot_topic_template", "homecam/snapshot/{camera_name}")!;
        if (snapshotTopic.Replace(CameraPlaceholder, "", StringComparison.Ordinal).IndexOfAny(['{', '}', '#', '+']) >= 0 || !snapshotTopic.Contains(CameraPlaceholder, StringComparison.Ordinal))
        {
            config.Error("snapshot_topic_template", $"'{snapshotTopic}' is not allowed; a topic without wildcards (#, +) with the placeholder {CameraPlaceholder}");
        }

        var modeTopic = config.String("mode_topic", "homecam/mode")!;
        var modeCommandTopic = config.String("mode_command_topic", "homecam/mode/set")!;
        foreach (var (key, topic) in new[] { ("mode_topic", modeTopic), ("mode_command_topic", modeCommandTopic) })
        {
            if (topic.Length == 0 || topic.IndexOfAny(['#', '+']) >= 0)
            {
                config.Error(key, $"'{topic}' is not allowed; a topic without wildcards (#, +)");
            }
        }

        return new MqttNotifierOptions(host, port, clientId, auth, tls, topicTemplate, qos, retain, availability, keepAlive, minBackoff, maxBackoff, homeAssistant)
        {
            ModeTopic = modeTopic,
            ModeCommandTopic = modeCommandTopic,
            SnapshotTopicTemplate = snapshotTopic,
        };
    }

    private static MqttAuth? ReadAuth(ConfigSection auth)
    {
        if (!auth.Has("username_env") && !auth.Has("password_env"))
        {
            auth.String("username_env");
            auth.String("password_env");
            return null;
        }

        var username = auth.Secret("username_env", required: true);
        var password = auth.Secret("password_env", required: true);
        return username is null || password is null ? null : new MqttAuth(username, password);
    }
}

/// <summary>Broker credentials from the environment. <see cref="ToString"/> never shows the password.</summary>
public sealed record MqttAuth(string Username, string Password)
{
    public override string ToString() => $"MqttAuth {{ Username = {Username}, Password = *** }}";
}

/// <param name="CaFile">A PEM file with the CA that signed the broker's certificate; null for the system's trust store.</param>
/// <param name="AllowUntrusted">Accept any certificate (self-signed brokers on a LAN); encrypts but does not authenticate the broker.</param>
public sealed record MqttTlsOptions(bool Enabled, string? CaFile, bool AllowUntrusted);

/// <summary>Home Assistant MQTT discovery: one binary_sensor and one sensor per camera.</summary>
/// <param name="NodeId">Groups HomeSec's discovery topics and prefixes every unique_id, so ids stay stable across restarts.</param>
/// <param name="OffDelaySeconds">The alert binary_sensor turns itself off this long after an alert.</param>
public sealed record HomeAssistantOptions(bool Discovery, string DiscoveryPrefix, string NodeId, int OffDelaySeconds);
