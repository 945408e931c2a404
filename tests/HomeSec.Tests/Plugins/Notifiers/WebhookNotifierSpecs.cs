using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Notifiers.Webhook;
using HomeSec.Tests.TestSupport;
using Xunit;
using static HomeSec.Tests.Plugins.Notifiers.HttpNotifierCases;

namespace HomeSec.Tests.Plugins.Notifiers;

public sealed class WebhookNotifierSpecs
{
    private const string Secret = "whsec-test-4711";
    private const string Bearer = "bearer-test-0815";

    private readonly ManualTimeProvider _clock = new(Noon.AddMinutes(1));

    /// <summary>A receiver as a user would write one: it checks the signature (and refuses a bad one with 401) before it takes the alert.</summary>
    private static ReceiverReply VerifyingReceiver(ReceivedRequest request)
    {
        var timestamp = request.Header(WebhookNotifier.TimestampHeader) ?? "";
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret),
            Encoding.UTF8.GetBytes(timestamp + ".").Concat(request.Body).ToArray()));
        var given = request.Header(WebhookNotifier.SignatureHeader) ?? "";
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given))
            ? new ReceiverReply(204)
            : new ReceiverReply(401, """{"error":"bad signature"}""");
    }

    private WebhookNotifier Notifier(FakeHttpReceiver receiver, string? secret = Secret, string? bearer = null, params (string, string)[] headers) =>
        new(new WebhookNotifierOptions(new Uri(receiver.BaseUrl + "/hooks/homesec?source=nvr"), secret, bearer, headers), _clock);

    [Fact]
    public async Task Should_post_the_mqtt_payload_signed_over_timestamp_and_body_when_an_alert_is_sent()
    {
        // Given
        await using var receiver = new FakeHttpReceiver((request, _) => VerifyingReceiver(request));
        using var notifier = Notifier(receiver, bearer: Bearer, headers: ("X-Household", "main street"));
        var alert = Alert();

        // When
        await notifier.SendAsync(alert, CancellationToken.None);

        // Then
        var request = Assert.Single(receiver.Requests);
        Assert.Equal(("POST", "/hooks/homesec"), (request.Method, request.Path));
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(alert), request.Body); // what the mqtt notifier publishes
        Assert.Equal(alert.DedupeKey, request.Json["dedupe_key"]!.GetValue<string>());
        Assert.Equal("alert", request.Header(WebhookNotifier.EventHeader));
        Assert.Equal(alert.DedupeKey, request.Header(WebhookNotifier.DeliveryHeader));
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Header(WebhookNotifier.TimestampHeader));
        Assert.StartsWith("sha256=", request.Header(WebhookNotifier.SignatureHeader), StringComparison.Ordinal);
        Assert.Equal($"Bearer {Bearer}", request.Header("Authorization"));
        Assert.Equal("main street", request.Header("X-Household"));
    }

    [Fact]
    public async Task Should_sign_each_attempt_with_its_own_timestamp_so_an_old_request_cannot_be_replayed_as_new()
    {
        // Given
        await using var receiver = new FakeHttpReceiver((request, _) => VerifyingReceiver(request));
        using var notifier = Notifier(receiver);

        // When
        await notifier.SendAsync(Alert(), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(10));
        await notifier.SendAsync(Alert(), CancellationToken.None);

        // Then
        var (first, second) = (receiver.Requests.First(), receiver.Requests.Last());
        Assert.Equal(first.Body, second.Body);
        Assert.NotEqual(first.Header(WebhookNotifier.TimestampHeader), second.Header(WebhookNotifier.TimestampHeader));
        Assert.NotEqual(first.Header(WebhookNotifier.SignatureHeader), second.Header(WebhookNotifier.SignatureHeader));
    }

    [Fact]
    public async Task Should_send_no_signature_when_no_secret_is_configured()
    {
        // Given
        await using var receiver = new FakeHttpReceiver((_, _) => ReceiverReply.Ok());
        using var notifier = Notifier(receiver, secret: null);

        // When
        await notifier.SendAsync(Alert(), CancellationToken.None);

        // Then
        var request = Assert.Single(receiver.Requests);
        Assert.Null(request.Header(WebhookNotifier.SignatureHeader));
        Assert.NotNull(request.Header(WebhookNotifier.TimestampHeader));
        Assert.Null(request.Header("Authorization"));
    }

    [Fact]
    public async Task Should_be_rejected_when_the_receiver_refuses_the_signature()
    {
        // Given
        await using var receiver = new FakeHttpReceiver((request, _) => VerifyingReceiver(request));
        using var notifier = Notifier(receiver, secret: "not-the-receivers-secret");

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var rejected = Assert.IsType<DeliveryRejectedException>(failure);
        Assert.Contains("401", rejected.Message, StringComparison.Ordinal);
        AssertShowsNoSecret(rejected, "not-the-receivers-secret");
    }

    [Theory]
    [MemberData(nameof(RejectedStatuses), MemberType = typeof(HttpNotifierCases))]
    public async Task Should_reject_the_alert_when_the_receiver_answers_a_client_error(int status)
    {
        // Given
        await using var receiver = new FakeHttpReceiver((_, _) => new ReceiverReply(status, """{"error":"nope"}"""));
        using var notifier = Notifier(receiver);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var rejected = Assert.IsType<DeliveryRejectedException>(failure);
        Assert.Contains($"webhook {receiver.BaseUrl} answered {status}", rejected.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RetriedStatuses), MemberType = typeof(HttpNotifierCases))]
    public async Task Should_fail_to_be_retried_when_the_receiver_answers_a_server_error(int status)
    {
        // Given
        await using var receiver = new FakeHttpReceiver((_, _) => new ReceiverReply(status, "upstream down"));
        using var notifier = Notifier(receiver);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var retried = Assert.IsType<HttpRequestException>(failure);
        Assert.Equal(status, (int?)retried.StatusCode);
        Assert.Contains("upstream down", retried.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(429, "7")]
    [InlineData(503, "3")]
    public async Task Should_say_when_to_retry_when_the_receiver_answers_with_retry_after(int status, string retryAfter)
    {
        // Given
        await using var receiver = new FakeHttpReceiver((_, _) => new ReceiverReply(status, "", new Dictionary<string, string> { ["Retry-After"] = retryAfter }));
        using var notifier = Notifier(receiver);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var deferred = Assert.IsType<DeliveryDeferredException>(failure);
        Assert.Equal(TimeSpan.FromSeconds(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture)), deferred.RetryAfter);
        AssertRetried(deferred);
    }

    [Fact]
    public async Task Should_fail_to_be_retried_naming_the_host_but_not_the_path_when_nothing_listens()
    {
        // Given
        var url = new Uri($"http://127.0.0.1:{FakeHttpReceiver.FreePort()}/api/webhook/secret-hook-id");
        using var notifier = new WebhookNotifier(new WebhookNotifierOptions(url, Secret, null, []), _clock);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var unreachable = Assert.IsType<HttpRequestException>(failure);
        Assert.Contains($"webhook http://127.0.0.1:{url.Port} could not be reached", unreachable.Message, StringComparison.Ordinal);
        AssertShowsNoSecret(unreachable, "secret-hook-id", Secret);
    }

    [Fact]
    public async Task Should_stop_waiting_when_the_receiver_does_not_answer_within_the_notifiers_timeout()
    {
        // Given: the notify worker cancels a send after the notifier's timeout_s and retries it as a timeout
        await using var receiver = new FakeHttpReceiver((_, _) => new ReceiverReply(200, Delay: TimeSpan.FromSeconds(30)));
        using var notifier = Notifier(receiver);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), timeout.Token));

        // Then
        Assert.IsAssignableFrom<OperationCanceledException>(failure);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Should_not_follow_a_redirect_that_would_drop_the_body_when_the_receiver_moved()
    {
        // Given
        await using var receiver = new FakeHttpReceiver((_, _) => new ReceiverReply(302, "", new Dictionary<string, string> { ["Location"] = "/elsewhere" }));
        using var notifier = Notifier(receiver);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        Assert.IsType<DeliveryRejectedException>(failure);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Should_show_no_secret_when_the_receiver_echoes_the_request_in_its_error()
    {
        // Given: a receiver that puts what it got (token, signature key material, path) into its 400 answer
        await using var receiver = new FakeHttpReceiver((request, _) => new ReceiverReply(400, $"bad request {request.Header("Authorization")} {Secret} {request.Path}"));
        using var notifier = Notifier(receiver, bearer: Bearer);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var rejected = Assert.IsType<DeliveryRejectedException>(failure);
        AssertShowsNoSecret(rejected, Bearer, Secret);
    }

    [Fact]
    public void Should_read_the_url_secret_and_headers_when_the_config_names_them()
    {
        // Given
        var environment = new Dictionary<string, string> { ["HOOK_SECRET"] = Secret, ["HOOK_URL"] = "https://ha.lan:8123/api/webhook/abc123" };

        // When
        var first = Load("""
              - backend: webhook
                config: {url: "https://example.com/hook", secret_env: HOOK_SECRET, headers: {X-Household: main}}
              - backend: webhook
                name: ha
                config: {url_env: HOOK_URL}
            """, environment);

        // Then
        var options = Assert.IsType<WebhookNotifierOptions>(first.Notifiers[0].Plugin.Options);
        Assert.Equal((new Uri("https://example.com/hook"), Secret), (options.Url, options.Secret));
        Assert.Equal([("X-Household", "main")], options.Headers);
        Assert.DoesNotContain(Secret, options.ToString(), StringComparison.Ordinal);
        var fromEnvironment = Assert.IsType<WebhookNotifierOptions>(first.Notifiers[1].Plugin.Options);
        Assert.Equal(new Uri("https://ha.lan:8123/api/webhook/abc123"), fromEnvironment.Url);
        Assert.DoesNotContain("abc123", fromEnvironment.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_each_bad_key_when_the_webhook_config_is_invalid()
    {
        // Given
        const string notifiers = """
              - backend: webhook
                config: {url: "ftp://example.com/hook", secret_env: NOT_SET, headers: {Authorization: "Bearer x", X-HomeSec-Event: fake, "bad name": y}}
              - backend: webhook
                name: second
                config: {}
            """;

        // When
        var errors = Errors(notifiers);

        // Then
        Assert.Equal(
            ["notifiers[0].config.headers.Authorization", "notifiers[0].config.headers.bad name", "notifiers[0].config.headers.X-HomeSec-Event",
             "notifiers[0].config.secret_env", "notifiers[0].config.url", "notifiers[1].config.url"],
            errors.Select(e => e.Path).Order(StringComparer.OrdinalIgnoreCase));
        Assert.Contains(errors, e => e.Message.Contains("'NOT_SET' is not set", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("'ftp://example.com/hook' is not an http(s) URL", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Message.Contains("Bearer x", StringComparison.Ordinal));
    }
}
