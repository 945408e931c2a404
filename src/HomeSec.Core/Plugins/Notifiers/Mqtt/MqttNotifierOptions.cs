using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Plugins.Notifiers.Mqtt;

/// <summary>Options of the <c>mqtt</c> notifier (config keys in snake_case; see config/example.yaml).</summary>
/// <param name="TopicTemplate">Alert topic; <c>{camera_name}</c> is replaced by the camera's name.</param>
/// <param name="Qos">0, 1 or 2.</param>
/// <param name="AvailabilityTopic">Gets <c>online</c> (retained) on connect, and <c>offline</c> as the last will.</param>
public sealed record MqttNotifierOptions(
    string Host,
    [property: Option("port", Min = 1, Max = 65535, Default = 1883)] int Port,
    [property: Option("client_id", Default = "homesec")] string ClientId,
    MqttAuth? Auth,
    MqttTlsOptions Tls,
    [property: Option("topic_template", Default = "homecam/alerts/" + MqttNotifierOptions.CameraPlaceholder)] string TopicTemplate,
    [property: Option("qos", Min = 0, Max = 2, Default = 1)] int Qos,
    [property: Option("retain", Default = false)] bool Retain,
    [property: Option("availability_topic", Default = "homecam/status")] string AvailabilityTopic,
    [property: Option("keepalive_s", Min = 5, Max = 3600, Default = 30)] TimeSpan KeepAlive,
    TimeSpan MinReconnectBackoff,
    TimeSpan MaxReconnectBackoff,
    HomeAssistantOptions HomeAssistant)
{
    /// <summary>The armed mode is published here (retained) when it changes and on connect.</summary>
    [Option("mode_topic")]
    public string ModeTopic { get; init; } = "homecam/mode";

    /// <summary>Publishing <c>home</c>, <c>away</c> or <c>off</c> here sets the armed mode (Home Assistant's select does).</summary>
    [Option("mode_command_topic")]
    public string ModeCommandTopic { get; init; } = "homecam/mode/set";

    public const string CameraPlaceholder = "{camera_name}";
    public const string Online = "online";
    public const string Offline = "offline";

    public string TopicFor(string cameraName) => TopicTemplate.Replace(CameraPlaceholder, cameraName, StringComparison.Ordinal);

    /// <summary>Where a camera's last snapshot (JPEG, retained) is published: <c>snapshot_topic_template</c>.</summary>
    [Option("snapshot_topic_template")]
    public string SnapshotTopicTemplate { get; init; } = "homecam/snapshot/" + CameraPlaceholder;

    public string SnapshotTopicFor(string cameraName) => SnapshotTopicTemplate.Replace(CameraPlaceholder, cameraName, StringComparison.Ordinal);

    public string Endpoint => $"{Host}:{Port}";

    public static MqttNotifierOptions Read(ConfigSection config)
    {
        var host = config.RequiredString("host");
        var options = OptionBinder.Bind<MqttNotifierOptions>(config);
        var auth = ReadAuth(config.Section("auth"));
        var tlsSection = config.Section("tls");
        var tls = OptionBinder.Bind<MqttTlsOptions>(tlsSection) with
        {
            CaFile = tlsSection.String("ca_file") is { } ca ? System.IO.Path.GetFullPath(ca) : null,
        };
        if (tls.CaFile is { } caFile && !File.Exists(caFile))
        {
            tlsSection.Error("ca_file", $"'{caFile}' does not exist");
        }

        var withoutPlaceholder = options.TopicTemplate.Replace(CameraPlaceholder, "", StringComparison.Ordinal);
        if (withoutPlaceholder.IndexOfAny(['{', '}', '#', '+']) >= 0 || options.TopicTemplate.Length == 0)
        {
            config.Error("topic_template", $"'{options.TopicTemplate}' is not allowed; a topic without wildcards (#, +) whose only placeholder is {CameraPlaceholder}");
        }

        var reconnectSection = config.Section("reconnect");
        var reconnect = OptionBinder.Bind<ReconnectOptions>(reconnectSection);
        if (reconnect.MaxBackoff < reconnect.MinBackoff)
        {
            reconnectSection.Error("max_backoff_s", $"'{reconnect.MaxBackoff.TotalSeconds}' is below min_backoff_s ({reconnect.MinBackoff.TotalSeconds})");
        }

        var ha = config.Section("home_assistant");
        var homeAssistant = OptionBinder.Bind<HomeAssistantOptions>(ha);
        if (!System.Text.RegularExpressions.Regex.IsMatch(homeAssistant.NodeId, "^[a-zA-Z0-9_-]+$"))
        {
            ha.Error("node_id", $"'{homeAssistant.NodeId}' is not allowed; use letters, digits, '_' and '-'");
        }

        var snapshotTopic = options.SnapshotTopicTemplate;
        if (snapshotTopic.Replace(CameraPlaceholder, "", StringComparison.Ordinal).IndexOfAny(['{', '}', '#', '+']) >= 0 || !snapshotTopic.Contains(CameraPlaceholder, StringComparison.Ordinal))
        {
            config.Error("snapshot_topic_template", $"'{snapshotTopic}' is not allowed; a topic without wildcards (#, +) with the placeholder {CameraPlaceholder}");
        }

        foreach (var (key, topic) in new[] { ("mode_topic", options.ModeTopic), ("mode_command_topic", options.ModeCommandTopic) })
        {
            if (topic.Length == 0 || topic.IndexOfAny(['#', '+']) >= 0)
            {
                config.Error(key, $"'{topic}' is not allowed; a topic without wildcards (#, +)");
            }
        }

        return options with
        {
            Host = host,
            Auth = auth,
            Tls = tls,
            MinReconnectBackoff = reconnect.MinBackoff,
            MaxReconnectBackoff = reconnect.MaxBackoff,
            HomeAssistant = homeAssistant,
        };
    }

    /// <summary><c>reconnect</c>: the first wait after a lost connection, doubling up to the largest.</summary>
    private sealed record ReconnectOptions(
        [property: Option("min_backoff_s", Min = 0.05, Max = 3600, Default = 1)] TimeSpan MinBackoff,
        [property: Option("max_backoff_s", Min = 0.05, Max = 86400, Default = 60)] TimeSpan MaxBackoff);

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
public sealed record MqttTlsOptions(
    [property: Option("enabled", Default = false)] bool Enabled,
    string? CaFile,
    [property: Option("allow_untrusted", Default = false)] bool AllowUntrusted);

/// <summary>Home Assistant MQTT discovery: one binary_sensor and one sensor per camera.</summary>
/// <param name="NodeId">Groups HomeSec's discovery topics and prefixes every unique_id, so ids stay stable across restarts.</param>
/// <param name="OffDelaySeconds">The alert binary_sensor turns itself off this long after an alert.</param>
public sealed record HomeAssistantOptions(
    [property: Option("discovery", Default = false)] bool Discovery,
    [property: Option("discovery_prefix", Default = "homeassistant")] string DiscoveryPrefix,
    [property: Option("node_id", Default = "homesec")] string NodeId,
    [property: Option("off_delay_s", Min = 1, Max = 86400, Default = 30)] int OffDelaySeconds);
