using System.Text.Json;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Notifiers.Email;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Notifiers;

/// <summary>The email notifier against a real SMTP server (aiosmtpd) and a local fake of SendGrid's v3 API.</summary>
public sealed class EmailNotifierSpecs
{
    private const string ApiKey = "SG.test-key-never-printed";

    private static EmailNotifierOptions Smtp(int port) => new(EmailProvider.Smtp, ["owner@example.com", "neighbour@example.com"], "homesec@example.com", "HomeSec NVR",
        EmailNotifierOptions.DefaultSubject, new SmtpOptions("127.0.0.1", port, SmtpSecurity.None, null, null), null);

    private static EmailNotifierOptions SendGrid(Uri baseUrl) => new(EmailProvider.SendGrid, ["owner@example.com"], "homesec@example.com", "HomeSec NVR",
        EmailNotifierOptions.DefaultSubject, null, new SendGridOptions(ApiKey, baseUrl));

    [Fact]
    public async Task Should_send_the_headers_and_a_text_and_html_body_when_the_provider_is_smtp()
    {
        // Given
        using var sink = await SmtpSink.StartAsync();
        using var notifier = new EmailNotifier(Smtp(sink.Port));
        var alert = MqttNotifierSpecs.SampleAlert();

        // When
        await notifier.SendAsync(alert, CancellationToken.None);

        // Then
        await Eventually.WaitForAsync(() => sink.Messages().Count == 1, TimeSpan.FromSeconds(10), "one message in the SMTP sink", () => sink.Output);
        var message = sink.Messages()[0];
        Assert.Equal("\"HomeSec NVR\" <homesec@example.com>", message.From.ToString());
        Assert.Equal(["owner@example.com", "neighbour@example.com"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("HomeSec alert: front_door (high, loitering)", message.Subject);
        Assert.Contains("Camera: front_door", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Time: 2026-11-24 12:00:00 UTC", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Risk: high", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Activity: loitering", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Summary: A person waits at the door \"for\" a while", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Reason: risk high >= medium", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("View: " + alert.ViewUrl, message.TextBody, StringComparison.Ordinal);
        Assert.Contains("<a href=\"http://nvr.local/clips/x.mp4?a=1&amp;b=&lt;2&gt;\">", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("A person waits at the door &quot;for&quot; a while", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("risk high &gt;= medium", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_show_the_snapshot_inline_when_the_alert_has_one_on_this_machine()
    {
        // Given an alert whose snapshot (a real JPEG) is on disk, over SMTP and over SendGrid
        var jpeg = Path.Combine(Path.GetTempPath(), $"homesec-snapshot-{Guid.NewGuid():N}.jpg");
        using (var ffmpeg = System.Diagnostics.Process.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x90", "-frames:v", "1", jpeg]))
        {
            await ffmpeg.WaitForExitAsync();
        }

        var alert = MqttNotifierSpecs.SampleAlert() with { SnapshotPath = jpeg };
        using var sink = await SmtpSink.StartAsync();
        using var smtp = new EmailNotifier(Smtp(sink.Port));
        using var sendGrid = new FakeSendGrid();
        using var viaSendGrid = new EmailNotifier(SendGrid(sendGrid.BaseUrl));

        // When
        await smtp.SendAsync(alert, CancellationToken.None);
        await viaSendGrid.SendAsync(alert, CancellationToken.None);

        // Then the picture travels as an inline part the HTML body points at
        await Eventually.WaitForAsync(() => sink.Messages().Count == 1, TimeSpan.FromSeconds(10), "one message in the SMTP sink", () => sink.Output);
        var message = sink.Messages()[0];
        var picture = Assert.Single(message.BodyParts.OfType<MimeKit.MimePart>(), p => p.ContentType.MimeType == "image/jpeg");
        Assert.Equal("snapshot@homesec", picture.ContentId);
        Assert.Contains("cid:snapshot@homesec", message.HtmlBody, StringComparison.Ordinal);
        var body = JsonDocument.Parse(Assert.Single(sendGrid.Requests).Body).RootElement;
        var attachment = body.GetProperty("attachments")[0];
        Assert.Equal("inline", attachment.GetProperty("disposition").GetString());
        Assert.Equal("snapshot@homesec", attachment.GetProperty("content_id").GetString());
        Assert.Equal(await File.ReadAllBytesAsync(jpeg), Convert.FromBase64String(attachment.GetProperty("content").GetString()!));
        File.Delete(jpeg);
    }

    [Fact]
    public async Task Should_post_v3_mail_send_with_the_bearer_key_and_both_bodies_when_the_provider_is_sendgrid()
    {
        // Given
        using var sendGrid = new FakeSendGrid();
        using var notifier = new EmailNotifier(SendGrid(sendGrid.BaseUrl));

        // When
        await notifier.SendAsync(MqttNotifierSpecs.SampleAlert(), CancellationToken.None);

        // Then
        var request = Assert.Single(sendGrid.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v3/mail/send", request.Path);
        Assert.Equal("Bearer " + ApiKey, request.Authorization);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("owner@example.com", body.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString());
        Assert.Equal("homesec@example.com", body.GetProperty("from").GetProperty("email").GetString());
        Assert.Equal("HomeSec NVR", body.GetProperty("from").GetProperty("name").GetString());
        Assert.Equal("HomeSec alert: front_door (high, loitering)", body.GetProperty("subject").GetString());
        var content = body.GetProperty("content").EnumerateArray().ToDictionary(c => c.GetProperty("type").GetString()!, c => c.GetProperty("value").GetString()!);
        Assert.Contains("Summary: A person waits at the door \"for\" a while", content["text/plain"], StringComparison.Ordinal);
        Assert.Contains("&amp;b=&lt;2&gt;", content["text/html"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_reject_for_good_without_showing_the_key_when_sendgrid_answers_401()
    {
        // Given
        using var sendGrid = new FakeSendGrid();
        sendGrid.Answer(401, $$"""{"errors":[{"message":"The provided authorization grant is invalid, expired, or revoked ({{ApiKey}})"}]}""");
        using var notifier = new EmailNotifier(SendGrid(sendGrid.BaseUrl));

        // When
        var error = await Assert.ThrowsAsync<DeliveryRejectedException>(() => notifier.SendAsync(MqttNotifierSpecs.SampleAlert(), CancellationToken.None));

        // Then
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("authorization grant is invalid", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, error.ToString(), StringComparison.Ordinal);
        Assert.Single(sendGrid.Requests);
    }

    [Theory]
    [InlineData(429, "retry after 7 s")]
    [InlineData(500, "SendGrid failed (500)")]
    public async Task Should_fail_so_the_pipeline_retries_when_sendgrid_answers_a_temporary_error(int status, string expected)
    {
        // Given
        using var sendGrid = new FakeSendGrid();
        sendGrid.Answer(status, """{"errors":[{"message":"try later"}]}""");
        using var notifier = new EmailNotifier(SendGrid(sendGrid.BaseUrl));

        // When
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => notifier.SendAsync(MqttNotifierSpecs.SampleAlert(), CancellationToken.None));
        await notifier.SendAsync(MqttNotifierSpecs.SampleAlert(), CancellationToken.None);

        // Then
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(status, (int?)error.StatusCode);
        Assert.Equal(2, sendGrid.Requests.Count);
    }
}
