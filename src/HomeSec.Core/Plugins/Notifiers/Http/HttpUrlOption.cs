using HomeSec.Core.Config;

namespace HomeSec.Core.Plugins.Notifiers.Http;

/// <summary>Reads and validates the http(s) URLs of the HTTP notifiers.</summary>
public static class HttpUrlOption
{
    /// <summary><paramref name="key"/> as an absolute http or https URL; an error naming the key otherwise (then null).</summary>
    public static Uri? Read(ConfigSection config, string key, string? defaultValue = null, bool required = false)
    {
        var text = config.String(key, defaultValue, required);
        return text is null ? null : Parse(text, () => config.Error(key, $"'{text}' is not an http(s) URL (e.g. https://example.com/path)"));
    }

    /// <summary>
    /// The URL held by the environment variable <paramref name="envKey"/> names, for URLs that are secrets themselves (a Home
    /// Assistant webhook id in the path). The error names the variable, never the URL.
    /// </summary>
    public static Uri? ReadSecret(ConfigSection config, string envKey) =>
        config.Secret(envKey, required: true) is { } text
            ? Parse(text, () => config.Error(envKey, $"environment variable '{config.String(envKey)}' does not hold an http(s) URL"))
            : null;

    private static Uri? Parse(string text, Action reportError)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && uri.Host.Length > 0 && uri.UserInfo.Length == 0)
        {
            return uri;
        }

        reportError();
        return null;
    }
}
