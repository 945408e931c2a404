using System.Text;
using HomeSec.Core.Alerts;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Notifiers.Ntfy;
using HomeSec.Tests.TestSupport;
using Xunit;
using static HomeSec.Tests.Plugins.Notifiers.HttpNotifierCases;

namespace HomeSec.Tests.Plugins.Notifiers;

public sealed class NtfyNotifierSpecs : IDisposable
{
    private const string Topic = "homesec-7f3a9c";
    private const string Token = "tk_test4711secret";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>An ntfy server: publishes go to /{topic}; with a token configured it answers 401/403 like ntfy does.</summary>
    private static ReceiverReply Ntfy(ReceivedRequest request, string? requiredAuthorization = $"Bearer {Token}")
    {
        if (request.Path != "/" + Topic || (request.Method != "POST" && request.Method != "PUT"))
        {
            return new ReceiverReply(404, """{"code":40401,"http":404,"error":"page not found"}""");
        }

        if (requiredAuthorization is not null && request.Header("Authorization") is var given && given != requiredAuthorization)
        {
            return given is null
                ? new ReceiverReply(401, """{"code":40101,"http":401,"error":"unauthorized"}""")
                : new ReceiverReply(403, """{"code":40301,"http":403,"error":"forbidden","link":"https://ntfy.sh/docs/publish/#authentication"}""");
        }

        return ReceiverReply.Ok("""{"id":"hwQ2YpKdmg","event":"message","topic":"homesec-7f3a9c"}""");
    }

    private static NtfyNotifierOptions Options(FakeHttpReceiver server, NtfyAuth? auth = null, IReadOnlyList<string>? tags = null) => new(
        new Uri(server.BaseUrl), Topic,
        new Dictionary<RiskLevel, int> { [RiskLevel.Low] = 3, [RiskLevel.Medium] = 4, [RiskLevel.High] = 5, [RiskLevel.Critical] = 5 },
        UnknownRiskPriority: 4, tags ?? ["rotating_light"], auth ?? new NtfyAuth(Token, null, null));

    [Fact]
    public async Task Should_publish_title_message_priority_tags_and_click_link_to_the_topic_when_an_alert_is_sent()
    {
        // Given
        await using var server = new FakeHttpReceiver((request, _) => Ntfy(request));
        using var notifier = new NtfyNotifier(Options(server), TimeProvider.System);

        // When
        await notifier.SendAsync(Alert(), CancellationToken.None);

        // Then
        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/" + Topic), (request.Method, request.Path));
        Assert.Equal("A person takes the parcel from the porch.", request.Text);
        Assert.Equal("front_door: high risk (package_theft)", request.Header("Title"));
        Assert.Equal("5", request.Header("Priority"));
        Assert.Equal("rotating_light,front_door,high", request.Header("Tags"));
        Assert.Equal("https://www.dropbox.com/s/abc/clip.mp4?dl=0", request.Header("Click"));
        Assert.Equal($"Bearer {Token}", request.Header("Authorization"));
    }

    [Theory]
    [InlineData(RiskLevel.Low, "3")]
    [InlineData(RiskLevel.Medium, "4")]
    [InlineData(RiskLevel.High, "5")]
    [InlineData(RiskLevel.Critical, "5")]
    [InlineData(null, "4")]
    public async Task Should_map_the_risk_level_to_the_default_ntfy_priority(RiskLevel? risk, string priority)
    {
        // Given
        await using var server = new FakeHttpReceiver((request, _) => Ntfy(request));
        var options = Assert.IsType<NtfyNotifierOptions>(Load($$"""
              - backend: ntfy
                config: {server: "{{server.BaseUrl}}", topic: {{Topic}}, token_env: NTFY_TOKEN}
            """, new Dictionary<string, string> { ["NTFY_TOKEN"] = Token }).Notifiers[0].Plugin.Options);
        using var notifier = new NtfyNotifier(options, TimeProvider.System);

        // When
        await notifier.SendAsync(Alert(risk), CancellationToken.None);

        // Then
        Assert.Equal(priority, Assert.Single(server.Requests).Header("Priority"));
    }

    [Fact]
    public async Task Should_use_the_configured_priorities_and_basic_auth_when_the_config_sets_them()
    {
        // Given
        await using var server = new FakeHttpReceiver((request, _) => Ntfy(request, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("homesec:pa55"))));
        var options = Assert.IsType<NtfyNotifierOptions>(Load($$"""
              - backend: ntfy
                config:
                  server: "{{server.BaseUrl}}"
                  topic: {{Topic}}
                  username_env: NTFY_USER
                  password_env: NTFY_PASSWORD
                  priorities: {low: 1, high: 3}
            """, new Dictionary<string, string> { ["NTFY_USER"] = "homesec", ["NTFY_PASSWORD"] = "pa55" }).Notifiers[0].Plugin.Options);
        using var notifier = new NtfyNotifier(options, TimeProvider.System);

        // When
        await notifier.SendAsync(Alert(RiskLevel.Low), CancellationToken.None);
        await notifier.SendAsync(Alert(RiskLevel.High), CancellationToken.None);

        // Then
        Assert.Equal(["1", "3"], server.Requests.Select(r => r.Header("Priority")));
        Assert.DoesNotContain("pa55", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_say_there_is_no_description_and_link_nothing_when_the_alert_has_no_analysis_and_no_upload()
    {
        // Given
        await using var server = new FakeHttpReceiver((request, _) => Ntfy(request));
        using var notifier = new NtfyNotifier(Options(server), TimeProvider.System);

        // When
        await notifier.SendAsync(Alert(risk: null, summary: null, viewUrl: null), CancellationToken.None);

        // Then
        var request = Assert.Single(server.Requests);
        Assert.StartsWith("No description: person detected without a VLM analysis", request.Text, StringComparison.Ordinal);
        Assert.Contains("The upload failed; the clip is kept on the NVR.", request.Text, StringComparison.Ordinal);
        Assert.Equal("front_door: alert", request.Header("Title"));
        Assert.Null(request.Header("Click"));
    }

    [Fact]
    public async Task Should_encode_a_title_that_is_not_ascii_so_ntfy_can_decode_it()
    {
        // Given
        await using var server = new FakeHttpReceiver((request, _) => Ntfy(request));
        using var notifier = new NtfyNotifier(Options(server), TimeProvider.System);
        var alert = Alert() with { ActivityType = "Paketdiebstahl – Tür" };

        // When
        await notifier.SendAsync(alert, CancellationToken.None);

        // Then
        var title = Assert.Single(server.Requests).Header("Title")!;
        Assert.StartsWith("=?UTF-8?B?", title, StringComparison.Ordinal);
        Assert.Equal("front_door: high risk (Paketdiebstahl – Tür)", Encoding.UTF8.GetString(Convert.FromBase64String(title["=?UTF-8?B?".Length..^2])));
    }

    [Fact]
    public async Task Should_put_the_snapshot_as_the_body_with_its_file_name_and_the_text_in_the_message_header_when_there_is_one()
    {
        // Given
        await using var server = new FakeHttpReceiver((request, _) => Ntfy(request));
        using var notifier = new NtfyNotifier(Options(server), TimeProvider.System);
        var snapshot = _temp.Combine("front_door-20261202T120000Z.jpg");
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];
        await File.WriteAllBytesAsync(snapshot, jpeg);

        // When
        await notifier.SendAsync(Alert(), snapshot, CancellationToken.None);

        // Then
        var request = Assert.Single(server.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal(jpeg, request.Body);
        Assert.Equal("image/jpeg", request.ContentType);
        Assert.Equal("front_door-20261202T120000Z.jpg", request.Header("Filename"));
        Assert.Equal("A person takes the parcel from the porch.", request.Header("Message"));
    }

    [Theory]
    [MemberData(nameof(RejectedStatuses), MemberType = typeof(HttpNotifierCases))]
    public async Task Should_reject_the_alert_when_ntfy_answers_a_client_error(int status)
    {
        // Given
        await using var server = new FakeHttpReceiver((_, _) => new ReceiverReply(status, $$"""{"code":{{status}}01,"http":{{status}},"error":"refused"}"""));
        using var notifier = new NtfyNotifier(Options(server), TimeProvider.System);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var rejected = Assert.IsType<DeliveryRejectedException>(failure);
        Assert.Contains($"ntfy {server.BaseUrl} answered {status}", rejected.Message, StringComparison.Ordinal);
        Assert.Contains($"refused (code {status}01)", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_reject_the_alert_without_showing_the_token_when_ntfy_refuses_it()
    {
        // Given
        await using var server = new FakeHttpReceiver((request, _) => Ntfy(request));
        using var notifier = new NtfyNotifier(Options(server, new NtfyAuth("tk_wrong_secret", null, null)), TimeProvider.System);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var rejected = Assert.IsType<DeliveryRejectedException>(failure);
        Assert.Contains("403", rejected.Message, StringComparison.Ordinal);
        AssertShowsNoSecret(rejected, "tk_wrong_secret");
    }

    [Theory]
    [MemberData(nameof(RetriedStatuses), MemberType = typeof(HttpNotifierCases))]
    public async Task Should_fail_to_be_retried_when_ntfy_answers_a_server_error(int status)
    {
        // Given
        await using var server = new FakeHttpReceiver((_, _) => new ReceiverReply(status, """{"code":50001,"http":500,"error":"internal server error"}"""));
        using var notifier = new NtfyNotifier(Options(server), TimeProvider.System);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        Assert.Equal(status, (int?)Assert.IsType<HttpRequestException>(failure).StatusCode);
    }

    [Fact]
    public async Task Should_say_when_to_retry_when_ntfy_rate_limits_the_publish()
    {
        // Given
        await using var server = new FakeHttpReceiver((_, _) => new ReceiverReply(429, """{"code":42901,"http":429,"error":"limit reached: too many requests"}""",
            new Dictionary<string, string> { ["Retry-After"] = "12" }));
        using var notifier = new NtfyNotifier(Options(server), TimeProvider.System);

        // When
        var failure = await Record.ExceptionAsync(() => notifier.SendAsync(Alert(), CancellationToken.None));

        // Then
        var deferred = Assert.IsType<DeliveryDeferredException>(failure);
        Assert.Equal(TimeSpan.FromSeconds(12), deferred.RetryAfter);
        Assert.Contains("limit reached", deferred.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fail_to_be_retried_when_the_server_cannot_be_reached_or_does_not_answer_in_time()
    {
        // Given
        await using var slow = new FakeHttpReceiver((_, _) => new ReceiverReply(200, Delay: TimeSpan.FromSeconds(30)));
        using var refused = new NtfyNotifier(Options(slow) with { Server = new Uri($"http://127.0.0.1:{FakeHttpReceiver.FreePort()}") }, TimeProvider.System);
        using var hanging = new NtfyNotifier(Options(slow), TimeProvider.System);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        // When
        var unreachable = await Record.ExceptionAsync(() => refused.SendAsync(Alert(), CancellationToken.None));
        var timedOut = await Record.ExceptionAsync(() => hanging.SendAsync(Alert(), timeout.Token));

        // Then
        AssertRetried(Assert.IsType<HttpRequestException>(unreachable));
        AssertShowsNoSecret(unreachable!, Token);
        Assert.IsAssignableFrom<OperationCanceledException>(timedOut);
    }

    [Fact]
    public void Should_name_each_bad_key_when_the_ntfy_config_is_invalid()
    {
        // Given
        const string notifiers = """
              - backend: ntfy
                config: {server: "ntfy.sh", topic: "alerts/all", token_env: NTFY_TOKEN, username_env: NTFY_USER, password_env: NTFY_PASSWORD, priorities: {high: 6}, tags: ["a,b"]}
            """;
        var environment = new Dictionary<string, string> { ["NTFY_TOKEN"] = Token, ["NTFY_USER"] = "u", ["NTFY_PASSWORD"] = "p" };

        // When
        var errors = Errors(notifiers, environment);

        // Then
        Assert.Equal(
            ["notifiers[0].config.priorities.high", "notifiers[0].config.server", "notifiers[0].config.tags", "notifiers[0].config.token_env", "notifiers[0].config.topic"],
            errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(errors, e => e.Message.Contains(Token, StringComparison.Ordinal));
    }
}
