using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Notifiers.Telegram;
using HomeSec.Tests.TestSupport;
using Xunit;
using static HomeSec.Tests.Plugins.Notifiers.HttpNotifierCases;

namespace HomeSec.Tests.Plugins.Notifiers;

public sealed class TelegramNotifierSpecs : IDisposable
{
    private const string Token = "123456789:AAH-test_Secret4711";
    private const string ChatId = "-1001234567890";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Error(int code, string description, int? retryAfter = null) =>
        $$"""{"ok":false,"error_code":{{code}},"description":"{{description}}"{{(retryAfter is { } s ? $$""","parameters":{"retry_after":{{s}}}""" : "")}}}""";

    /// <summary>The Bot API: /bot{token}/{method}; a wrong token gets 401, an unknown chat 400, as Telegram answers.</summary>
    private static ReceiverReply BotApi(ReceivedRequest request)
    {
        if (!request.Path.StartsWith($"/bot{Token}/", StringComparison.Ordinal))
        {
            return new ReceiverReply(401, Error(401, "Unauthorized"));
        }

        return request.Path.EndsWith("/sendMessage", StringComparison.Ordinal) || request.Path.EndsWith("/sendPhoto", StringComparison.Ordinal)
            ? ReceiverReply.Ok("""{"ok":true,"result":{"message_id":42}}""")
            : new ReceiverReply(404, Error(404, "Not Found"));
    }

    private static TelegramNotifier Notifier(FakeHttpReceiver api, string token = Token) =>
        new(new TelegramNotifierOptions(token, ChatId, new Uri(api.BaseUrl)), TimeProvider.System);

    [Fact]
    public async Task Should_send_an_html_message_with_camera_risk_summary_and_link_when_an_alert_is_sent()
    {
        // Given
        await using var api = new FakeHttpReceiver((request, _) => BotApi(request));
        using var notifier = Notifier(api);

        // When
        await notifier.SendAsync(Alert(), CancellationToken.None);

        // Then
        var request = Assert.Single(api.Requests);
        Assert.Equal(("POST", $"/bot{Token}/sendMessage"), (request.Method, request.Path));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var body = request.Json;
        Assert.Equal(-1001234567890L, body["chat_id"]!.GetValue<long>());
        Assert.Equal("HTML", body["parse_mode"]!.GetValue<string>());
        Assert.Equal(
            "<b>HomeSec: front_door</b>\nRisk: high · package_theft\nA person takes the parcel from the porch.\n" +
            "<i>risk high is at or above min_risk_level medium</i>\n<a href=\"https://www.dropbox.com/s/abc/clip.mp4?dl=0\">View the clip</a>",
            body["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Should_escape_every_untrusted_text_when_the_summary_holds_markup()
    {
        // Given
        await using var api = new FakeHttpReceiver((request, _) => BotApi(request));
        using var notifier = Notifier(api);
        var alert = Alert(summary: "<a href=\"https://evil.example\">tap</a> & <b>run</b>") with
        {
            ViewUrl = "https://example.com/clip?a=1&b=\"2\"",
        };

        // When
        await notifier.SendAsync(alert, CancellationToken.None);

        // Then
        var text = Assert.Single(api.Requests).Json["text"]!.GetValue<string>();
        Assert.Contains("&lt;a href=&quot;https://evil.example&quot;&gt;tap&lt;/a&gt; &amp; &lt;b&gt;run&lt;/b&gt;", text, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.com/clip?a=1&amp;b=%222%22\">", text, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example\">", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_cut_a_long_summary_so_the_message_stays_within_telegrams_limit()
    {
        // Given
        await using var api = new FakeHttpReceiver((request, _) => BotApi(request));
        using var notifier = Notifier(api);

        // When
        await notifier.SendAsync(Alert(summary: new string('x', 10_000)), CancellationToken.None);

        // Then
        var text = Assert.Single(api.Requests).Json["text"]!.GetValue<string>();
        Assert.InRange(text.Length, 1000, TelegramCaption.MaxMessage);
        Assert.Contains("x…", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_send_the_snapshot_as_a_photo_with_the_text_as_caption_when_there_is_one()
    {
        // Given
        await using var api = new FakeHttpReceiver((request, _) => BotApi(request));
        using var notifier = Notifier(api);
        var snapshot = _temp.Combine("snapshot.jpg");
        await File.WriteAllBytesAsync(snapshot, [0xFF, 0xD8, 0xFF, 0xE0, 9, 9, 0xFF, 0xD9]);

        // When
        await notifier.SendAsync(Alert(summary: new string('y', 3000)), snapshot, CancellationToken.None);

        // Then
        var request = Assert.Single(api.Requests);
        Assert.Equal($"/bot{Token}/sendPhoto", request.Path);
        Assert.StartsWith("multipart/form-data", request.ContentType, StringComparison.Ordinal);
        var form = request.Text;
        Assert.Contains("name=chat_id", form, StringComparison.Ordinal);
        Assert.Contains(ChatId, form, StringComparison.Ordinal);
        Assert.Contains("name=parse_mode", form, StringComparison.Ordinal);
        Assert.Contains("name=photo; filename=snapshot.jpg", form, StringComparison.Ordinal);
        var caption = form[(form.IndexOf("<b>HomeSec", StringComparison.Ordinal))..];
        Assert.True(caption.IndexOf("\r\n--", StringComparison.Ordinal) <= TelegramCaption.MaxCaption, "the caption is longer than Telegram allows");
    }

    [Theory]
    [InlineData(400, "Bad Request: chat not found")]
    [InlineData(401, "Unauthorized")]
    [InlineData(403, "Forbidden: bot was blocked by the user")]
    [InlineData(404, "Not Found")]
    public async Task Should_reject_the_alert_when_the_bot_api_refuses_it(int status, string description)
    {
        // Given
        await using var api = new FakeHttpReceiver((_, _) => new ReceiverReply(status, Error(status, description)));
        using var notifier = Notifier(api);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var rejected = Assert.IsType<DeliveryRejectedException>(failure);
        Assert.Contains($"telegram {api.BaseUrl} answered {status}", rejected.Message, StringComparison.Ordinal);
        Assert.Contains(description, rejected.Message, StringComparison.Ordinal);
        AssertShowsNoSecret(rejected, Token);
    }

    [Fact]
    public async Task Should_honour_retry_after_from_the_parameters_when_telegram_answers_429()
    {
        // Given
        await using var api = new FakeHttpReceiver((_, _) => new ReceiverReply(429, Error(429, "Too Many Requests: retry after 35", retryAfter: 35)));
        using var notifier = Notifier(api);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var deferred = Assert.IsType<DeliveryDeferredException>(failure);
        Assert.Equal(TimeSpan.FromSeconds(35), deferred.RetryAfter);
        AssertRetried(deferred);
    }

    [Theory]
    [MemberData(nameof(RetriedStatuses), MemberType = typeof(HttpNotifierCases))]
    public async Task Should_fail_to_be_retried_when_the_bot_api_has_a_server_error(int status)
    {
        // Given
        await using var api = new FakeHttpReceiver((_, _) => new ReceiverReply(status, "<html>Bad Gateway</html>"));
        using var notifier = Notifier(api);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        Assert.Equal(status, (int?)Assert.IsType<HttpRequestException>(failure).StatusCode);
    }

    [Fact]
    public async Task Should_show_no_bot_token_when_the_api_echoes_the_request_path_or_cannot_be_reached()
    {
        // Given
        await using var echoing = new FakeHttpReceiver((request, _) => new ReceiverReply(400, Error(400, $"Bad Request: no such method {request.Path}")));
        using var notifier = Notifier(echoing);
        using var unreachable = new TelegramNotifier(new TelegramNotifierOptions(Token, ChatId, new Uri($"http://127.0.0.1:{FakeHttpReceiver.FreePort()}")), TimeProvider.System);

        // When
        var echoed = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));
        var refused = await Record.ExceptionAsync(() => unreachable.SendAsync(Alert(), CancellationToken.None));

        // Then
        Assert.IsType<DeliveryRejectedException>(echoed);
        Assert.Contains("/bot***/sendMessage", echoed!.Message, StringComparison.Ordinal);
        AssertRetried(Assert.IsType<HttpRequestException>(refused));
        AssertShowsNoSecret(echoed, Token);
        AssertShowsNoSecret(refused!, Token);
    }

    [Fact]
    public async Task Should_stop_waiting_when_the_bot_api_does_not_answer_within_the_notifiers_timeout()
    {
        // Given
        await using var api = new FakeHttpReceiver((_, _) => new ReceiverReply(200, Delay: TimeSpan.FromSeconds(30)));
        using var notifier = Notifier(api);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), timeout.Token));

        // Then
        Assert.IsAssignableFrom<OperationCanceledException>(failure);
    }

    [Fact]
    public void Should_name_each_bad_key_and_never_the_token_when_the_telegram_config_is_invalid()
    {
        // Given
        const string notifiers = """
              - backend: telegram
                config: {bot_token_env: TG_TOKEN, chat_id: "my chat", api_url: "telegram"}
              - backend: telegram
                name: second
                config: {bot_token_env: TG_MISSING, chat_id: "@homesec_alerts"}
            """;

        // When
        var errors = Errors(notifiers, new Dictionary<string, string> { ["TG_TOKEN"] = "not a token" });

        // Then
        Assert.Equal(
            ["notifiers[0].config.api_url", "notifiers[0].config.bot_token_env", "notifiers[0].config.chat_id", "notifiers[1].config.bot_token_env"],
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(errors, e => e.Message.Contains("not a token", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("'TG_MISSING' is not set", StringComparison.Ordinal));
    }
}
