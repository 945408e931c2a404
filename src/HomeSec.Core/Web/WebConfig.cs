using HomeSec.Core.Config;

namespace HomeSec.Core.Web;

/// <summary>Who may read <c>/health</c> and <c>/metrics</c> without logging in.</summary>
public enum OpenEndpointAccess
{
    /// <summary>Anyone who reaches the port (container healthchecks, a Prometheus on another box).</summary>
    Open,

    /// <summary>Only requests from this machine (127.0.0.1 / ::1); others need a login or a token.</summary>
    Loopback,

    /// <summary>A login or an API token, like every other page.</summary>
    Auth,
}

/// <summary>A user whose password hash comes from an environment variable (containers, no users file).</summary>
public sealed record EnvUser(string Name, string PasswordHash);

/// <summary>
/// <c>web</c>: the browser UI and the JSON API on the HTTP port (<c>health.host</c>/<c>health.port</c>).
/// Every page, the API and all media need a login (session cookie) or an API token.
/// </summary>
/// <param name="Enabled">Serve the UI (the JSON API, health and metrics are served either way).</param>
/// <param name="PublicUrl">How phones reach the UI (e.g. <c>https://nvr.example.lan</c>); alerts then link to the clip page.</param>
/// <param name="SessionLifetime">How long a login lasts without being used (sliding).</param>
/// <param name="HealthAccess">Who may read /health and /metrics without a login.</param>
/// <param name="Users">Users from <c>web.users[].password_hash_env</c>, besides those <c>homesec user add</c> saved.</param>
public sealed record WebConfig(bool Enabled, Uri? PublicUrl, TimeSpan SessionLifetime, OpenEndpointAccess HealthAccess, IReadOnlyList<EnvUser> Users)
{
    public static WebConfig Default { get; } = new(true, null, TimeSpan.FromDays(30), OpenEndpointAccess.Open, []);

    private static readonly IReadOnlyDictionary<string, OpenEndpointAccess> AccessNames = new Dictionary<string, OpenEndpointAccess>(StringComparer.Ordinal)
    {
        ["open"] = OpenEndpointAccess.Open,
        ["loopback"] = OpenEndpointAccess.Loopback,
        ["auth"] = OpenEndpointAccess.Auth,
    };

    /// <summary>The clip page of a clip, when <see cref="PublicUrl"/> is set.</summary>
    public string? ClipPageUrl(string clipId) =>
        PublicUrl is { } url ? $"{url.AbsoluteUri.TrimEnd('/')}/clips/{Uri.EscapeDataString(clipId)}" : null;

    public static WebConfig Read(ConfigSection section)
    {
        var enabled = section.Bool("enabled", true);
        Uri? publicUrl = null;
        if (section.String("public_url") is { } text)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" && string.IsNullOrEmpty(parsed.Query))
            {
                publicUrl = parsed;
            }
            else
            {
                section.Error("public_url", $"'{text}' is not allowed; use an absolute http:// or https:// URL without a query, e.g. https://nvr.example.lan");
            }
        }

        var lifetime = TimeSpan.FromHours(section.Number("session_hours", 720, 0.1, 24 * 366));
        var access = section.Choice("health_access", OpenEndpointAccess.Open, AccessNames);
        var users = new List<EnvUser>();
        foreach (var item in section.Items("users"))
        {
            var name = item.RequiredString("name");
            if (name.Length > 0 && !UserNames.IsValid(name))
            {
                item.Error("name", $"'{name}' is not allowed; {UserNames.Rule}");
            }

            var hash = item.Secret("password_hash_env", required: true);
            if (hash is not null && !PasswordHasher.IsHash(hash))
            {
                item.Error("password_hash_env", $"environment variable '{item.String("password_hash_env")}' does not hold a password hash; make one with `homesec user hash`");
            }
            else if (hash is not null && name.Length > 0)
            {
                users.Add(new EnvUser(name, hash));
            }
        }

        return new WebConfig(enabled, publicUrl, lifetime, access, users);
    }
}

public static class UserNames
{
    public const string Rule = "a user name is 1 to 64 letters, digits, '.', '_' or '-'";

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
