using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins.Notifiers.Http;

namespace HomeSec.Core.Plugins.Notifiers.Webhook;

/// <summary>
/// POSTs each alert as the alert contract's JSON (the mqtt payload, byte for byte) to <c>url</c>.
/// <para>Headers: <c>X-HomeSec-Event: alert</c>; <c>X-HomeSec-Delivery</c>: the dedupe_key, the same on every retry, so a
/// receiver can drop duplicates; <c>X-HomeSec-Timestamp</c>: Unix seconds when this attempt was sent; with
/// <c>secret_env</c>, <c>X-HomeSec-Signature: sha256=</c> hex HMAC-SHA256 of <c>{timestamp}.{body}</c>.</para>
/// <para>The timestamp is inside what is signed because a signature of the body alone verifies for ever: whoever
/// recorded one request could replay it any time later. A receiver recomputes the HMAC over the timestamp header,
/// a dot and the raw body, compares in constant time and refuses timestamps older than a few minutes.</para>
/// </summary>
public sealed class WebhookNotifier(WebhookNotifierOptions options, TimeProvider clock, HttpMessageHandler? handler = null) : INotifier, IDisposable
{
    public const string EventHeader = "X-HomeSec-Event";
    public const string DeliveryHeader = "X-HomeSec-Delivery";
    public const string TimestampHeader = "X-HomeSec-Timestamp";
    public const string SignatureHeader = "X-HomeSec-Signature";

    private readonly NotifierHttp _http = new("webhook", options.Url, [options.Secret ?? "", options.BearerToken ?? "", options.Url.PathAndQuery.Length > 1 ? options.Url.PathAndQuery : ""], clock, handler: handler);

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var body = AlertJson.Serialize(alert);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("HomeSec", null));
        request.Headers.Add(EventHeader, "alert");
        request.Headers.Add(DeliveryHeader, alert.DedupeKey);
        request.Headers.Add(TimestampHeader, timestamp);
        if (options.Secret is { } secret)
        {
            request.Headers.Add(SignatureHeader, Signature(secret, timestamp, body));
        }

        if (options.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        await _http.SendAsync(request, cancellationToken);
    }

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256 of <c>{timestamp}.{body}</c> keyed with the UTF-8 secret.</summary>
    public static string Signature(string secret, string timestamp, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public void Dispose() => _http.Dispose();
}
