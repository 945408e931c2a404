using System.Net;
using HomeSec.Core.Plugins.Http;

namespace HomeSec.Core.Plugins.Notifiers.Http;

/// <summary>What a receiver's error body says: a short detail for the message and, if it asks, when to try again.</summary>
public sealed record ReceiverError(string Detail, TimeSpan? RetryAfter = null);

/// <summary>
/// The HTTP side the webhook, ntfy and telegram notifiers share: one request, its answer mapped onto the outcomes
/// the pipeline knows. 2xx delivers; 429, 408, 5xx and network errors throw something the pipeline retries (429 and a
/// 503 with Retry-After as <see cref="DeliveryDeferredException"/>, so the retry waits as asked); any other 4xx (400,
/// 401, 403, 404, 413, …) will not change by asking again and throws <see cref="DeliveryRejectedException"/>.
/// Every message names the service and <paramref name="endpoint"/> (scheme, host and port only, because paths and
/// queries carry tokens: Telegram's bot token, a Home Assistant webhook id) and has the secrets replaced by ***.
/// The time limit is the caller's token (the notifier's <c>timeout_s</c>), so the client itself has none.
/// </summary>
public sealed class NotifierHttp(
    string service,
    Uri endpoint,
    IReadOnlyList<string> secrets,
    TimeProvider clock,
    Func<string, ReceiverError?>? readErrorBody = null,
    HttpMessageHandler? handler = null) : IDisposable
{
    private const int MaxDetail = 300;

    // No redirects: a 301/302 would turn the POST into a GET without its body and look delivered.
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Scheme, host and port of the receiver: safe to log.</summary>
    public string Endpoint { get; } = SafeEndpoint(endpoint);

    public static string SafeEndpoint(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);

    /// <summary>Sends <paramref name="request"/>; returns the response body of a 2xx answer, throws otherwise (see the class).</summary>
    public async Task<string> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new HttpRequestException($"{service} {Endpoint} could not be reached: {Redact(ex.Message)}", ex.InnerException is null ? null : new IOException(Redact(ex.InnerException.Message)));
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return body;
            }

            var error = ReadError(body);
            var retryAfter = HttpRetry.RetryAfter(response, clock) ?? error.RetryAfter;
            var failure = $"{service} {Endpoint} answered {status} {ReasonOf(response.StatusCode)}{(error.Detail.Length > 0 ? $": {error.Detail}" : "")}";
            if (status == 429 || (retryAfter is not null && status >= 500))
            {
                var wait = retryAfter is { } delay ? $"; it asks to retry after {delay.TotalSeconds:0.#} s" : "";
                throw new DeliveryDeferredException(failure + wait, retryAfter);
            }

            if (HttpRetry.IsRetryable(status) || response.StatusCode == HttpStatusCode.RequestTimeout)
            {
                throw new HttpRequestException(failure, null, response.StatusCode);
            }

            throw new DeliveryRejectedException(failure);
        }
    }

    /// <summary>The text with every secret replaced by ***.</summary>
    public string Redact(string text) =>
        secrets.Where(s => s.Length > 0).Aggregate(text, (current, secret) => current.Replace(secret, "***", StringComparison.Ordinal));

    public void Dispose() => _http.Dispose();

    private ReceiverError ReadError(string body)
    {
        var error = (readErrorBody is null ? null : SafeRead(body)) ?? new ReceiverError(body);
        var detail = Redact(error.Detail).ReplaceLineEndings(" ").Trim();
        return error with { Detail = detail.Length <= MaxDetail ? detail : detail[..MaxDetail] + "…" };
    }

    private ReceiverError? SafeRead(string body)
    {
        try
        {
            return readErrorBody!(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // not the receiver's JSON error shape: the raw (shortened) body says it instead
        }
    }

    private static string ReasonOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests => "Too Many Requests",
        _ => System.Text.RegularExpressions.Regex.Replace(status.ToString(), "(?<=[a-z])(?=[A-Z])", " "),
    };
}
