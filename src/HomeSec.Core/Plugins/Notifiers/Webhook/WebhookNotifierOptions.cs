using System.Text.RegularExpressions;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins.Notifiers.Http;

namespace HomeSec.Core.Plugins.Notifiers.Webhook;

/// <summary>Options of the <c>webhook</c> notifier (config keys in snake_case; see config/example.yaml).</summary>
/// <param name="Url">From <c>url</c>, or from the variable <c>url_env</c> names when the URL itself is a secret.</param>
/// <param name="Secret">The HMAC-SHA256 key of <c>X-HomeSec-Signature</c> (<c>secret_env</c>); null sends no signature.</param>
/// <param name="BearerToken">Sent as <c>Authorization: Bearer …</c> (<c>bearer_token_env</c>); null sends none.</param>
/// <param name="Headers">Extra, non-secret headers (<c>headers</c>).</param>
public sealed partial record WebhookNotifierOptions(Uri Url, string? Secret, string? BearerToken, IReadOnlyList<(string Name, string Value)> Headers)
{
    /// <summary>Headers HomeSec sets itself (or that the HTTP stack owns), so <c>headers</c> may not set them.</summary>
    private static readonly string[] ReservedHeaders = ["Content-Type", "Content-Length", "Host", "Transfer-Encoding", "Connection", "User-Agent"];

    /// <summary>Headers that carry credentials: config values are not secret, so these come only from <c>*_env</c> keys.</summary>
    private static readonly string[] SecretHeaders = ["Authorization", "Proxy-Authorization", "Cookie"];

    public static WebhookNotifierOptions Read(ConfigSection config)
    {
        Uri? url;
        if (config.Has("url") == config.Has("url_env"))
        {
            config.Error("url", "give exactly one of url and url_env");
            config.String("url");
            config.String("url_env");
            url = null;
        }
        else
        {
            url = config.Has("url") ? HttpUrlOption.Read(config, "url") : HttpUrlOption.ReadSecret(config, "url_env");
        }

        var secret = config.Secret("secret_env", required: false);
        var bearer = config.Secret("bearer_token_env", required: false);
        var headers = config.StringMap("headers");
        foreach (var (name, value) in headers)
        {
            if (!HeaderName().IsMatch(name))
            {
                config.Error($"headers.{name}", "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)");
            }
            else if (ReservedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase) || name.StartsWith("X-HomeSec-", StringComparison.OrdinalIgnoreCase))
            {
                config.Error($"headers.{name}", "is set by HomeSec itself and may not be overridden");
            }
            else if (SecretHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                config.Error($"headers.{name}", "carries a credential, which does not belong in the config; use bearer_token_env (or sign with secret_env)");
            }

            if (value.IndexOfAny(['\r', '\n', '\0']) >= 0)
            {
                config.Error($"headers.{name}", "a header value may not contain a line break");
            }
        }

        return new WebhookNotifierOptions(url ?? new Uri("http://invalid.invalid/"), secret, bearer, headers);
    }

    public override string ToString() =>
        $"WebhookNotifierOptions {{ Url = {NotifierHttp.SafeEndpoint(Url)}/…, Secret = {(Secret is null ? "none" : "***")}, BearerToken = {(BearerToken is null ? "none" : "***")}, Headers = {string.Join(", ", Headers.Select(h => h.Name))} }}";

    [GeneratedRegex("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")]
    private static partial Regex HeaderName();
}
