using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins.Notifiers.Http;

namespace HomeSec.Core.Plugins.Notifiers.Telegram;

/// <summary>
/// Sends each alert to a Telegram chat through the Bot API: <c>sendMessage</c>, or <c>sendPhoto</c> with the text as
/// caption when there is a snapshot, in HTML parse mode (see <see cref="TelegramCaption"/>). A 429 waits as long as
/// Telegram's <c>parameters.retry_after</c> says; 400 (e.g. chat not found), 401 (bad token), 403 (the bot was blocked
/// or removed) and 404 are rejected. The bot token is in every URL path and is never part of a message.
/// </summary>
public sealed class TelegramNotifier(TelegramNotifierOptions options, TimeProvider clock, HttpMessageHandler? handler = null) : INotifier, IDisposable
{
    private readonly NotifierHttp _http = new("telegram", options.ApiUrl, [options.BotToken], clock, ReadError, handler);

    /// <summary>With the alert's snapshot attached when it is still on this machine (retention may have removed it since).</summary>
    public Task SendAsync(Alert alert, CancellationToken cancellationToken) =>
        SendAsync(alert, alert.SnapshotPath is { } path && File.Exists(path) ? path : null, cancellationToken);

    /// <summary>Sends the alert; with <paramref name="snapshotPath"/> (a JPEG) as a photo with the text as its caption.</summary>
    internal async Task SendAsync(Alert alert, string? snapshotPath, CancellationToken cancellationToken)
    {
        using var request = snapshotPath is null ? MessageRequest(alert) : PhotoRequest(alert, snapshotPath);
        await _http.SendAsync(request, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage MessageRequest(Alert alert) => new(HttpMethod.Post, options.MethodUrl("sendMessage"))
    {
        Content = JsonContent.Create(new JsonObject
        {
            ["chat_id"] = ChatIdValue(),
            ["text"] = TelegramCaption.For(alert, TelegramCaption.MaxMessage),
            ["parse_mode"] = "HTML",
            ["link_preview_options"] = new JsonObject { ["is_disabled"] = true },
        }),
    };

    private HttpRequestMessage PhotoRequest(Alert alert, string snapshotPath)
    {
        var photo = new StreamContent(File.OpenRead(snapshotPath));
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        var form = new MultipartFormDataContent
        {
            { new StringContent(options.ChatId), "chat_id" },
            { new StringContent(TelegramCaption.For(alert, TelegramCaption.MaxCaption)), "caption" },
            { new StringContent("HTML"), "parse_mode" },
            { photo, "photo", Path.GetFileName(snapshotPath) },
        };
        return new HttpRequestMessage(HttpMethod.Post, options.MethodUrl("sendPhoto")) { Content = form };
    }

    private JsonNode ChatIdValue() =>
        long.TryParse(options.ChatId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? JsonValue.Create(id) : JsonValue.Create(options.ChatId);

    /// <summary>The Bot API's errors: <c>{"ok":false,"error_code":429,"description":"…","parameters":{"retry_after":5}}</c>.</summary>
    private static ReceiverError? ReadError(string body)
    {
        if (JsonNode.Parse(body) is not JsonObject error)
        {
            return null;
        }

        var description = error["description"] is JsonValue text ? text.ToString() : "";
        var retryAfter = error["parameters"]?["retry_after"] is JsonValue seconds && seconds.TryGetValue<int>(out var value) && value >= 0
            ? TimeSpan.FromSeconds(value)
            : (TimeSpan?)null;
        return new ReceiverError(description, retryAfter);
    }
}
