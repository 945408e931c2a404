using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HomeSec.Core.Alerts;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace HomeSec.Core.Plugins.Notifiers.Email;

/// <summary>
/// Emails each alert (text and HTML body) through an SMTP server (MailKit) or SendGrid's v3 API.
/// Refusals that retrying cannot fix (bad credentials, a bad request) throw
/// <see cref="DeliveryRejectedException"/>; everything else throws and is retried. Messages never carry secrets.
/// </summary>
public sealed class EmailNotifier(EmailNotifierOptions options, HttpClient? httpClient = null) : INotifier, IDisposable
{
    private readonly HttpClient _http = httpClient ?? new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
    private readonly bool _ownsHttp = httpClient is null;

    public Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var content = EmailContent.For(alert, options.SubjectTemplate);
        // The alert's picture inline (cid:), when it is still on this machine; a mail without it is still a mail.
        var snapshot = alert.SnapshotPath is { } path && File.Exists(path) && new FileInfo(path).Length <= MaxInlineBytes ? path : null;
        return options.Provider switch
        {
            EmailProvider.Smtp => SendSmtpAsync(content, snapshot, options.Smtp!, cancellationToken),
            EmailProvider.SendGrid => SendSendGridAsync(content, snapshot, options.SendGrid!, cancellationToken),
            _ => throw new InvalidOperationException($"unknown email provider {options.Provider}"),
        };
    }

    /// <summary>A snapshot is a few hundred KB; a larger file is not a snapshot we made, and is not mailed.</summary>
    private const long MaxInlineBytes = 5 * 1024 * 1024;

    private const string SnapshotContentId = "snapshot@homesec";

    private static string WithPicture(string html) =>
        html + $"<p><img src=\"cid:{SnapshotContentId}\" alt=\"Snapshot of the detection\" style=\"max-width:100%\"></p>";

    private async Task SendSmtpAsync(EmailContent content, string? snapshot, SmtpOptions smtp, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(options.FromName, options.FromEmail));
        foreach (var to in options.ToEmails)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Subject = content.Subject;
        var builder = new BodyBuilder { TextBody = content.Text, HtmlBody = snapshot is null ? content.Html : WithPicture(content.Html) };
        if (snapshot is not null)
        {
            var image = await builder.LinkedResources.AddAsync(snapshot, cancellationToken);
            image.ContentId = SnapshotContentId;
        }

        message.Body = builder.ToMessageBody();

        using var client = new SmtpClient();
        var security = smtp.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.SslOnConnect,
        };
        await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken);
        try
        {
            if (smtp.Username is { } username && smtp.Password is { } password)
            {
                try
                {
                    await client.AuthenticateAsync(username, password, cancellationToken);
                }
                catch (AuthenticationException ex)
                {
                    throw new DeliveryRejectedException($"SMTP server {smtp.Host}:{smtp.Port} refused the login of user '{username}': {ex.Message}", ex);
                }
            }

            try
            {
                await client.SendAsync(message, cancellationToken);
            }
            catch (SmtpCommandException ex) when ((int)ex.StatusCode is >= 500 and < 600)
            {
                throw new DeliveryRejectedException($"SMTP server {smtp.Host}:{smtp.Port} refused the message ({(int)ex.StatusCode}): {ex.Message}", ex);
            }
        }
        finally
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(quit: true, CancellationToken.None);
            }
        }
    }

    private async Task SendSendGridAsync(EmailContent content, string? snapshot, SendGridOptions sendGrid, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["personalizations"] = new JsonArray(new JsonObject
            {
                ["to"] = new JsonArray(options.ToEmails.Select(to => (JsonNode)new JsonObject { ["email"] = to }).ToArray()),
            }),
            ["from"] = new JsonObject { ["email"] = options.FromEmail, ["name"] = options.FromName },
            ["subject"] = content.Subject,
            ["content"] = new JsonArray(
                new JsonObject { ["type"] = "text/plain", ["value"] = content.Text },
                new JsonObject { ["type"] = "text/html", ["value"] = snapshot is null ? content.Html : WithPicture(content.Html) }),
        };
        if (snapshot is not null)
        {
            body["attachments"] = new JsonArray(new JsonObject
            {
                ["content"] = Convert.ToBase64String(await File.ReadAllBytesAsync(snapshot, cancellationToken)),
                ["type"] = "image/jpeg",
                ["filename"] = "snapshot.jpg",
                ["disposition"] = "inline",
                ["content_id"] = SnapshotContentId,
            });
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(sendGrid.BaseUrl, "/v3/mail/send"))
        {
            Content = JsonContent.Create(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", sendGrid.ApiKey);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = await ReadErrorAsync(response, cancellationToken);
        var status = (int)response.StatusCode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.TooManyRequests:
                var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? $"; retry after {delta.TotalSeconds:0} s" : "";
                throw new HttpRequestException($"SendGrid rate-limited the request (429){retryAfter}: {detail}", null, response.StatusCode);
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new DeliveryRejectedException($"SendGrid refused the API key ({status}): {detail}");
            case var code when status is >= 400 and < 500 && code != HttpStatusCode.RequestTimeout:
                throw new DeliveryRejectedException($"SendGrid rejected the request ({status}): {detail}");
            default:
                throw new HttpRequestException($"SendGrid failed ({status}): {detail}", null, response.StatusCode);
        }
    }

    /// <summary>SendGrid's error messages (<c>errors[].message</c>), short, never echoing the key.</summary>
    private async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string detail;
        try
        {
            detail = JsonNode.Parse(text)?["errors"] is JsonArray errors
                ? string.Join("; ", errors.Select(e => e?["message"]?.GetValue<string>()).Where(m => m is not null))
                : text;
        }
        catch (System.Text.Json.JsonException)
        {
            detail = text;
        }

        detail = detail.Length > 300 ? detail[..300] + "…" : detail;
        var key = options.SendGrid?.ApiKey;
        return string.IsNullOrEmpty(key) ? detail : detail.Replace(key, "***", StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
