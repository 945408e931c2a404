using System.Text.Json.Nodes;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins.Analyzers.OpenAi;
using HomeSec.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace HomeSec.Tests.Plugins.Analyzers;

/// <summary>A real 320x240 clip made by ffmpeg, shared by the specs of one class.</summary>
public sealed class TestClipFixture : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "homesec-vlm-" + Guid.NewGuid().ToString("N"));

    public RecordedClip Clip { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        var path = Path.Combine(_folder, "front_door-20261124T120000Z.mp4");
        await Ffmpeg.MakeTestClipAsync(path, seconds: 2);
        Clip = new RecordedClip(ClipId.For("front_door", at), "front_door", path, at, at.AddSeconds(2), new FileInfo(path).Length);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class OpenAiAnalyzerSpecs(TestClipFixture clip) : IClassFixture<TestClipFixture>
{
    private const string ApiKey = "sk-test-secret-4711";

    private static readonly FilterResult Person = new(["person"], 0.91, 10, "test-model");

    private static readonly string ValidAnalysis = new JsonObject
    {
        ["risk_level"] = "high",
        ["activity_type"] = "package_theft",
        ["summary"] = "A person takes the parcel from the porch and walks away.",
        ["entities_timeline"] = new JsonArray
        {
            new JsonObject { ["time_s"] = 0.5, ["entity"] = "person", ["action"] = "walks up to the porch" },
            new JsonObject { ["time_s"] = 1.5, ["entity"] = "person", ["action"] = "picks up the parcel" },
        },
        ["requires_review"] = true,
    }.ToJsonString();

    [Fact]
    public async Task Should_return_the_validated_analysis_with_token_usage_when_the_server_answers_with_a_schema_reply()
    {
        // Given
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Completion(ValidAnalysis, promptTokens: 1500, completionTokens: 90));
        using var analyzer = Analyzer(server, apiKey: ApiKey);

        // When
        var analysis = await analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None);

        // Then
        Assert.Equal(RiskLevel.High, analysis.RiskLevel);
        Assert.Equal("package_theft", analysis.ActivityType);
        Assert.Equal("A person takes the parcel from the porch and walks away.", analysis.Summary);
        Assert.True(analysis.RequiresReview);
        Assert.Equal([new TimelineEntry(0.5, "person", "walks up to the porch"), new TimelineEntry(1.5, "person", "picks up the parcel")],
            analysis.EntitiesTimeline!);
        Assert.Equal(new TokenUsage(1500, 90, 1590), analysis.Usage);
        Assert.Equal("test-model-2026", analysis.Model);
    }

    [Fact]
    public async Task Should_send_the_model_the_frames_as_jpeg_data_urls_and_the_json_schema_when_analysing_a_clip()
    {
        // Given
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Completion(ValidAnalysis));
        using var analyzer = Analyzer(server, apiKey: ApiKey, maxFrames: 3, maxSize: 160);

        // When
        await analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None);

        // Then
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal($"Bearer {ApiKey}", request.Authorization);
        var body = request.Json;
        Assert.Equal("vision-test", (string?)body["model"]);
        var userParts = body["messages"]!.AsArray().Single(m => (string?)m!["role"] == "user")!["content"]!.AsArray();
        var imageUrls = userParts.Where(p => (string?)p!["type"] == "image_url").Select(p => (string)p!["image_url"]!["url"]!).ToList();
        Assert.Equal(3, imageUrls.Count);
        Assert.All(imageUrls, url => Assert.StartsWith("data:image/jpeg;base64,", url, StringComparison.Ordinal));
        var jpeg = Convert.FromBase64String(imageUrls[0]["data:image/jpeg;base64,".Length..]);
        Assert.Equal((160, 120), Ffmpeg.JpegSize(jpeg));
        var responseFormat = body["response_format"]!;
        Assert.Equal("json_schema", (string?)responseFormat["type"]);
        var schema = responseFormat["json_schema"]!["schema"]!;
        Assert.Equal(["low", "medium", "high", "critical"], schema["properties"]!["risk_level"]!["enum"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(Vocabulary.Names, schema["properties"]!["activity_type"]!["enum"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(1024, (int)body["max_tokens"]!);
    }

    [Fact]
    public async Task Should_send_no_authorization_header_when_no_api_key_is_configured()
    {
        // Given
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Completion(ValidAnalysis));
        using var analyzer = Analyzer(server, apiKey: null);

        // When
        await analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None);

        // Then
        Assert.Null(Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task Should_fall_back_to_json_object_and_keep_using_it_when_the_server_rejects_json_schema()
    {
        // Given
        await using var server = new FakeOpenAiServer((request, _) =>
            (string?)request.Json["response_format"]?["type"] == "json_schema"
                ? FakeOpenAiServer.Error(400, "response_format type 'json_schema' is not supported by this server")
                : FakeOpenAiServer.Completion(ValidAnalysis));
        using var analyzer = Analyzer(server);

        // When
        var first = await analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None);
        var second = await analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None);

        // Then
        Assert.Equal(RiskLevel.High, first.RiskLevel);
        Assert.Equal(RiskLevel.High, second.RiskLevel);
        Assert.Equal(["json_schema", "json_object", "json_object"], server.Requests.Select(r => (string?)r.Json["response_format"]?["type"]));
    }

    [Fact]
    public async Task Should_fall_back_to_plain_text_with_the_json_asked_for_in_the_prompt_when_the_server_rejects_both_json_formats()
    {
        // Given
        await using var server = new FakeOpenAiServer((request, _) => request.Json["response_format"] is null
            ? FakeOpenAiServer.Completion($"Here is the analysis:\n```json\n{ValidAnalysis}\n```")
            : FakeOpenAiServer.Error(400, "Unsupported value: 'response_format.type'"));
        using var analyzer = Analyzer(server);

        // When
        var analysis = await analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None);

        // Then
        Assert.Equal("package_theft", analysis.ActivityType);
        Assert.Equal(3, server.Requests.Count);
        var systemPrompt = (string)server.Requests.Last().Json["messages"]![0]!["content"]!;
        Assert.Contains("package_theft", systemPrompt);
        Assert.Contains("Answer with exactly one JSON object", systemPrompt);
    }

    [Fact]
    public async Task Should_fail_keeping_the_raw_reply_when_the_reply_is_not_json()
    {
        // Given
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Completion("I am sorry, I cannot see anything unusual here."));
        using var analyzer = Analyzer(server);

        // When
        var failure = await Assert.ThrowsAsync<VlmReplyException>(() => analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None));

        // Then
        Assert.Equal("I am sorry, I cannot see anything unusual here.", failure.RawReply);
        Assert.Contains("I am sorry, I cannot see anything unusual here.", failure.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Should_fail_naming_the_bad_value_when_the_reply_does_not_match_the_schema()
    {
        // Given
        var extreme = ValidAnalysis.Replace("\"high\"", "\"extreme\"", StringComparison.Ordinal);
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Completion(extreme));
        using var analyzer = Analyzer(server);

        // When
        var failure = await Assert.ThrowsAsync<VlmReplyException>(() => analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None));

        // Then
        Assert.Contains("risk_level \"extreme\" is not one of low, medium, high, critical", failure.Message);
        Assert.Contains(extreme, failure.Message);
    }

    [Fact]
    public async Task Should_fail_without_retrying_or_showing_the_key_when_the_server_answers_401()
    {
        // Given
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Error(401, $"Incorrect API key provided: {ApiKey}."));
        using var analyzer = Analyzer(server, apiKey: ApiKey, maxRetries: 3);

        // When
        var failure = await Assert.ThrowsAsync<VlmHttpException>(() => analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None));

        // Then
        Assert.Equal(401, failure.StatusCode);
        Assert.Contains("401", failure.Message);
        Assert.DoesNotContain(ApiKey, failure.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Should_retry_after_the_delay_the_server_asks_for_when_it_answers_429_with_retry_after()
    {
        // Given
        await using var server = new FakeOpenAiServer((_, index) => index == 0
            ? FakeOpenAiServer.Error(429, "Rate limit reached", "rate_limit_exceeded") with { Headers = new Dictionary<string, string> { ["Retry-After"] = "1" } }
            : FakeOpenAiServer.Completion(ValidAnalysis));
        using var analyzer = Analyzer(server, retryBackoff: TimeSpan.FromMilliseconds(10));

        // When
        var analysis = await analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None);

        // Then
        Assert.Equal(RiskLevel.High, analysis.RiskLevel);
        var requests = server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        // The retry backoff is 10 ms, so a gap near 1 s can only come from Retry-After (the margin absorbs timer granularity).
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(900),
            $"retried after {(requests[1].ReceivedAt - requests[0].ReceivedAt).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Should_fail_after_the_configured_retries_when_the_server_keeps_answering_500()
    {
        // Given
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Error(500, "The server had an error", "server_error"));
        using var analyzer = Analyzer(server, maxRetries: 2, retryBackoff: TimeSpan.FromMilliseconds(20));

        // When
        var failure = await Assert.ThrowsAsync<VlmHttpException>(() => analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None));

        // Then
        Assert.Equal(500, failure.StatusCode);
        Assert.Contains("after 3 attempts", failure.Message);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Should_fail_with_a_timeout_when_the_server_answers_later_than_the_request_timeout()
    {
        // Given
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Completion(ValidAnalysis) with { Delay = TimeSpan.FromSeconds(10) });
        using var analyzer = Analyzer(server, requestTimeout: TimeSpan.FromMilliseconds(500), maxRetries: 0);

        // When
        var failure = await Assert.ThrowsAsync<TimeoutException>(() => analyzer.AnalyzeAsync(clip.Clip, Person, CancellationToken.None));

        // Then
        Assert.Contains("did not answer within request_timeout_s (0.5 s)", failure.Message);
        Assert.Single(server.Requests);
    }

    private static ActivityVocabulary Vocabulary { get; } = ActivityVocabulary.WithExtra(["package_theft"]);

    [Theory]
    [InlineData(2.0, "2 s long")]
    [InlineData(0.0, "duration unknown")]
    public async Task Should_tell_the_model_the_clip_length_only_when_it_is_known(double lengthSeconds, string expected)
    {
        // Given: a folder clip whose length ffprobe could not read has start == end
        await using var server = new FakeOpenAiServer((_, _) => FakeOpenAiServer.Completion(ValidAnalysis));
        using var analyzer = Analyzer(server);
        var recorded = clip.Clip with { EndedAt = clip.Clip.StartedAt.AddSeconds(lengthSeconds) };

        // When
        await analyzer.AnalyzeAsync(recorded, Person, CancellationToken.None);

        // Then
        var userParts = Assert.Single(server.Requests).Json["messages"]!.AsArray().Single(m => (string?)m!["role"] == "user")!["content"]!.AsArray();
        var text = (string)userParts.Single(p => (string?)p!["type"] == "text")!["text"]!;
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0 s long", text, StringComparison.Ordinal);
    }

    private static OpenAiAnalyzer Analyzer(
        FakeOpenAiServer server,
        string? apiKey = null,
        int maxFrames = 2,
        int maxSize = 160,
        int maxRetries = 2,
        TimeSpan? retryBackoff = null,
        TimeSpan? requestTimeout = null) =>
        new(new OpenAiAnalyzerOptions(new Uri(server.BaseUrl), "vision-test", apiKey, maxFrames, maxSize, Quality: 75,
                OpenAiAnalyzerOptions.DefaultPrompt, ResponseFormatMode.Auto, MaxTokens: 1024, Temperature: null, maxRetries,
                retryBackoff ?? TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5), requestTimeout ?? TimeSpan.FromSeconds(20), Vocabulary),
            NullLogger<OpenAiAnalyzer>.Instance, TimeProvider.System);
}
