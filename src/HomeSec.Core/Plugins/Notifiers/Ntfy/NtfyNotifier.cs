using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins.Notifiers.Http;

namespace HomeSec.Core.Plugins.Notifiers.Ntfy;

/// <summary>
/// Publishes each alert to an ntfy topic: title (camera, risk, activity), message (the summary, else the reason),
/// priority by risk level, tags, <c>Click</c> with the clip's view_url. With a snapshot the picture is the request
/// body (PUT, <c>Filename</c>) and the message moves into the <c>Message</c> header, which is how ntfy takes a file
/// and a text in one publish. Header values that are not ASCII are RFC 2047 encoded, which ntfy decodes.
/// </summary>
public sealed class NtfyNotifier(NtfyNotifierOptions options, TimeProvider clock, HttpMessageHandler? handler = null) : INotifier, IDisposable
{
    /// <summary>ntfy turns a longer message into an attachment; the summary is cut well before that.</summary>
    private const int MaxSummary = 1500;

    private readonly NotifierHttp _http = new("ntfy", options.Server, options.Auth?.Secrets ?? [], clock, ReadError, handler);

    /// <summary>With the alert's snapshot attached when it is still on this machine (retention may have removed it since).</summary>
    public Task SendAsync(Alert alert, CancellationToken cancellationToken) =>
        SendAsync(alert, alert.SnapshotPath is { } path && File.Exists(path) ? path : null, cancellationToken);

    /// <summary>Publishes the alert, with <paramref name="snapshotPath"/> (a JPEG) attached when given.</summary>
    internal async Task SendAsync(Alert alert, string? snapshotPath, CancellationToken cancellationToken)
    {
        var message = MessageOf(alert);
        using var request = new HttpRequestMessage(snapshotPath is null ? HttpMethod.Post : HttpMethod.Put, options.TopicUrl);
        if (snapshotPath is null)
        {
            request.Content = new StringContent(message, Encoding.UTF8, "text/plain");
        }
        else
        {
            // The file is read when the request is sent, so a snapshot removed meanwhile fails this attempt (retried).
            request.Content = new StreamContent(File.OpenRead(snapshotPath));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            request.Headers.TryAddWithoutValidation("Filename", HeaderValue(Path.GetFileName(snapshotPath)));
            request.Headers.TryAddWithoutValidation("Message", HeaderValue(message));
        }

        request.Headers.TryAddWithoutValidation("Title", HeaderValue(TitleOf(alert)));
        request.Headers.TryAddWithoutValidation("Priority", options.PriorityFor(alert.RiskLevel).ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("Tags", HeaderValue(string.Join(",", TagsOf(alert))));
        if (alert.ViewUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var link) && (link.Scheme == Uri.UriSchemeHttps || link.Scheme == Uri.UriSchemeHttp))
        {
            request.Headers.TryAddWithoutValidation("Click", link.AbsoluteUri);
        }

        switch (options.Auth)
        {
            case { Token: { } token }:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                break;
            case { Username: { } username, Password: { } password }:
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
                break;
        }

        await _http.SendAsync(request, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    internal static string TitleOf(Alert alert)
    {
        var risk = alert.RiskLevel is { } level ? $"{level.ToWireName()} risk" : "alert";
        return alert.ActivityType is { } activity ? $"{alert.CameraName}: {risk} ({activity})" : $"{alert.CameraName}: {risk}";
    }

    internal static string MessageOf(Alert alert)
    {
        var text = alert.Summary is { Length: > 0 } summary
            ? (summary.Length <= MaxSummary ? summary : summary[..MaxSummary] + "…")
            : $"No description: {alert.NotifyReason}";
        return alert.UploadFailed ? text + "\n(The upload failed; the clip is kept on the NVR.)" : text;
    }

    private IEnumerable<string> TagsOf(Alert alert) =>
        options.Tags.Append(alert.CameraName).Append(alert.RiskLevel?.ToWireName() ?? "unknown").Distinct(StringComparer.Ordinal);

    /// <summary>A header value: plain when it is printable ASCII on one line, else RFC 2047 (UTF-8, base64).</summary>
    internal static string HeaderValue(string text) =>
        text.All(c => c is >= ' ' and <= '~')
            ? text
            : "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) + "?=";

    /// <summary>ntfy's errors: <c>{"code":40101,"http":401,"error":"unauthorized","link":…}</c>.</summary>
    private static ReceiverError? ReadError(string body) =>
        JsonNode.Parse(body) is JsonObject error && error["error"] is JsonValue text
            ? new ReceiverError($"{text}{(error["code"] is JsonValue code ? $" (code {code})" : "")}")
            : null;
}
