using System.Text.RegularExpressions;
using HomeSec.Core.Alerts;
using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;
using HomeSec.Core.Plugins.Notifiers.Http;

namespace HomeSec.Core.Plugins.Notifiers.Ntfy;

/// <summary>Options of the <c>ntfy</c> notifier (config keys in snake_case; see config/example.yaml).</summary>
/// <param name="Server">The ntfy server (default https://ntfy.sh); a path prefix of a reverse proxy is kept.</param>
/// <param name="Topic">On a public server the topic is the only thing between the alerts and everyone: pick a long random name, or use auth.</param>
/// <param name="Priorities">ntfy priority (1 min … 5 urgent) per risk level; <see cref="UnknownRiskPriority"/> for alerts without an analysis.</param>
/// <param name="Tags">Tags (ntfy shows emoji short codes such as <c>rotating_light</c> as emoji); the camera name and risk are added.</param>
/// <param name="Auth">A bearer token (<c>token_env</c>) or a user and password (<c>username_env</c> + <c>password_env</c>); null for none.</param>
public sealed partial record NtfyNotifierOptions(
    Uri Server,
    string Topic,
    IReadOnlyDictionary<RiskLevel, int> Priorities,
    int UnknownRiskPriority,
    IReadOnlyList<string> Tags,
    NtfyAuth? Auth)
{
    public const string DefaultServer = "https://ntfy.sh";

    /// <summary>The URL alerts are published to: the server (with its path) and the topic.</summary>
    public Uri TopicUrl => new(Server.AbsoluteUri.TrimEnd('/') + "/" + Topic);

    public int PriorityFor(RiskLevel? risk) => risk is { } level ? Priorities[level] : UnknownRiskPriority;

    public static NtfyNotifierOptions Read(ConfigSection config)
    {
        var server = HttpUrlOption.Read(config, "server", DefaultServer) ?? new Uri(DefaultServer);
        var topic = config.RequiredString("topic");
        if (topic.Length > 0 && !TopicName().IsMatch(topic))
        {
            config.Error("topic", $"'{topic}' is not allowed; ntfy topics are 1 to 64 letters, digits, '_' and '-'");
        }

        var priorities = OptionBinder.Bind<PriorityOptions>(config.Section("priorities"));
        var byRisk = new Dictionary<RiskLevel, int>
        {
            [RiskLevel.Low] = priorities.Low,
            [RiskLevel.Medium] = priorities.Medium,
            [RiskLevel.High] = priorities.High,
            [RiskLevel.Critical] = priorities.Critical,
        };
        var unknown = priorities.Unknown;
        var tags = config.StringList("tags", []);
        foreach (var tag in tags.Where(t => t.Length == 0 || t.IndexOfAny([',', '\r', '\n']) >= 0))
        {
            config.Error("tags", $"'{tag}' is not allowed; a tag is non-empty text without commas or line breaks");
        }

        return new NtfyNotifierOptions(server, topic, byRisk, unknown, tags, ReadAuth(config));
    }

    /// <summary><c>priorities</c>: ntfy's priority (1 min … 5 urgent) per risk level, and for alerts without an analysis.</summary>
    private sealed record PriorityOptions(
        [property: Option("low", Min = 1, Max = 5, Default = 3)] int Low,
        [property: Option("medium", Min = 1, Max = 5, Default = 4)] int Medium,
        [property: Option("high", Min = 1, Max = 5, Default = 5)] int High,
        [property: Option("critical", Min = 1, Max = 5, Default = 5)] int Critical,
        [property: Option("unknown", Min = 1, Max = 5, Default = 4)] int Unknown);

    private static NtfyAuth? ReadAuth(ConfigSection config)
    {
        var token = config.Has("token_env");
        var basic = config.Has("username_env") || config.Has("password_env");
        if (token && basic)
        {
            config.Error("token_env", "give either token_env or username_env + password_env, not both");
            config.String("username_env"); // read, so they are not reported as unknown keys as well
            config.String("password_env");
        }

        if (token)
        {
            return config.Secret("token_env", required: true) is { } value ? new NtfyAuth(value, null, null) : null;
        }

        if (basic)
        {
            var username = config.Secret("username_env", required: true);
            var password = config.Secret("password_env", required: true);
            return username is null || password is null ? null : new NtfyAuth(null, username, password);
        }

        return null;
    }

    [GeneratedRegex("^[-_A-Za-z0-9]{1,64}$")]
    private static partial Regex TopicName();
}

/// <summary>ntfy credentials from the environment. <see cref="ToString"/> never shows a secret.</summary>
public sealed record NtfyAuth(string? Token, string? Username, string? Password)
{
    public IReadOnlyList<string> Secrets => new[] { Token, Password }.OfType<string>().ToList();

    public override string ToString() => Token is not null ? "NtfyAuth { Token = *** }" : $"NtfyAuth {{ Username = {Username}, Password = *** }}";
}
