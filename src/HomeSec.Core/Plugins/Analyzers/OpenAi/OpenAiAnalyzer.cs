using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins.Http;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>
/// Describes a clip with any OpenAI-compatible chat completions endpoint (OpenAI, Ollama, vLLM, LM Studio):
/// JPEG frames as image data URLs, structured output by JSON schema with fallbacks, retries on 429/5xx.
/// Failures are exceptions; the VLM worker turns them into VlmError values.
/// </summary>
public sealed class OpenAiAnalyzer : IVlmAnalyzer, IDisposable
{
    private const int MaxErrorBodyInMessage = 500;

    private readonly OpenAiAnalyzerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly HttpClient _http;
    private readonly ClipFrameExtractor _frames;
    private readonly Uri _endpoint;
    private volatile ResponseFormatMode _responseFormat;

    public OpenAiAnalyzer(OpenAiAnalyzerOptions options, ILogger<OpenAiAnalyzer> logger, TimeProvider clock)
    {
        _options = options;
        _logger = logger;
        _clock = clock;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _frames = new ClipFrameExtractor(options.MaxFrames, options.MaxSize, options.Quality);
        _endpoint = new Uri(options.BaseUrl.AbsoluteUri.TrimEnd('/') + "/chat/completions");
        _responseFormat = options.ResponseFormat == ResponseFormatMode.Auto ? ResponseFormatMode.JsonSchema : options.ResponseFormat;
    }

    /// <summary>Where requests go, without any user info of the base URL: safe to log.</summary>
    public string Endpoint => _endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    public async Task<AnalysisResult> AnalyzeAsync(RecordedClip clip, FilterResult filter, CancellationToken cancellationToken)
    {
        // One frame per equal part of the clip; a part where the detector saw something shows its best detection.
        var preferredTimestamps = filter.MomentsOf([]);
        var frames = await _frames.ExtractAsync(clip.LocalPath, clip.EndedAt - clip.StartedAt, preferredTimestamps, cancellationToken);
        while (true)
        {
            var mode = _responseFormat;
            var body = OpenAiChatRequest.Build(_options, mode, clip, filter, frames).ToJsonString();
            try
            {
                var reply = await PostWithRetriesAsync(body, cancellationToken);
                return ParseCompletion(reply);
            }
            catch (VlmHttpException ex) when (_options.ResponseFormat == ResponseFormatMode.Auto && RejectsResponseFormat(ex, mode) && Fallback(mode) is { } next)
            {
                _logger.LogWarning("VLM server {Endpoint} rejected response_format {Rejected}; using {Next} from now on", Endpoint, WireName(mode), WireName(next));
                _responseFormat = next;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> PostWithRetriesAsync(string body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var retriesLeft = attempt <= _options.MaxRetries;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (_options.ApiKey is { } apiKey)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }

            HttpStatusCode status;
            string responseBody;
            TimeSpan? retryAfter;
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                status = response.StatusCode;
                retryAfter = RetryAfter(response);
                responseBody = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"VLM server {Endpoint} did not answer within request_timeout_s ({_options.RequestTimeout.TotalSeconds:0.#} s), attempt {attempt}", ex);
            }
            catch (HttpRequestException ex) when (retriesLeft)
            {
                await WaitBeforeRetryAsync(BackoffBefore(attempt + 1), $"request failed ({Redact(ex.Message)})", attempt, cancellationToken);
                continue;
            }

            if ((int)status is >= 200 and < 300)
            {
                return responseBody;
            }

            var redactedBody = Redact(responseBody);
            var failure = $"VLM server {Endpoint} answered {(int)status} {status}: {VlmReplyException.Truncated(redactedBody, MaxErrorBodyInMessage)}";
            if (!IsRetryable(status) || !retriesLeft)
            {
                throw new VlmHttpException((int)status, redactedBody, retriesLeft ? failure : $"{failure} (after {attempt} attempts)");
            }

            if (retryAfter > _options.MaxRetryBackoff)
            {
                throw new VlmHttpException((int)status, redactedBody,
                    $"{failure} (it asks to retry after {retryAfter.Value.TotalSeconds:0} s, longer than max_retry_backoff_s {_options.MaxRetryBackoff.TotalSeconds:0} s)");
            }

            await WaitBeforeRetryAsync(retryAfter ?? BackoffBefore(attempt + 1), $"{(int)status} {status}", attempt, cancellationToken);
        }
    }

    private async Task WaitBeforeRetryAsync(TimeSpan delay, string what, int attempt, CancellationToken cancellationToken)
    {
        _logger.LogWarning("VLM server {Endpoint}: {What}; retry {Retry}/{MaxRetries} in {DelaySeconds:0.#} s",
            Endpoint, what, attempt, _options.MaxRetries, delay.TotalSeconds);
        await Task.Delay(delay, _clock, cancellationToken);
    }

    private TimeSpan BackoffBefore(int nextAttempt) => HttpRetry.BackoffBefore(nextAttempt, _options.RetryBackoff, _options.MaxRetryBackoff);

    private TimeSpan? RetryAfter(HttpResponseMessage response) => HttpRetry.RetryAfter(response, _clock);

    private static bool IsRetryable(HttpStatusCode status) => HttpRetry.IsRetryable((int)status);

    private AnalysisResult ParseCompletion(string responseBody)
    {
        JsonNode? completion;
        try
        {
            completion = JsonNode.Parse(responseBody);
        }
        catch (JsonException ex)
        {
            throw new VlmReplyException($"the response body is not JSON ({ex.Message})", Redact(responseBody));
        }

        var content = completion?["choices"]?[0]?["message"]?["content"] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new VlmReplyException("the response has no choices[0].message.content text", Redact(responseBody));
        var analysis = AnalysisReplyParser.Parse(content, _options.ActivityTypes);
        return analysis with { Usage = ReadUsage(completion["usage"]), Model = completion["model"] is JsonValue model && model.GetValueKind() == JsonValueKind.String ? model.GetValue<string>() : _options.Model };
    }

    private static TokenUsage? ReadUsage(JsonNode? usage)
    {
        if (usage is not JsonObject counts)
        {
            return null;
        }

        var prompt = Count(counts, "prompt_tokens");
        var completion = Count(counts, "completion_tokens");
        return new TokenUsage(prompt, completion, counts.ContainsKey("total_tokens") ? Count(counts, "total_tokens") : prompt + completion);

        static int Count(JsonObject counts, string key) =>
            counts[key] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var count) ? count : 0;
    }

    /// <summary>A 400 (or 422) whose body names the response format we sent is the server saying it does not support it.</summary>
    private static bool RejectsResponseFormat(VlmHttpException ex, ResponseFormatMode mode) =>
        ex.StatusCode is 400 or 422
        && (ex.ResponseBody.Contains("response_format", StringComparison.OrdinalIgnoreCase)
            || ex.ResponseBody.Contains(WireName(mode), StringComparison.OrdinalIgnoreCase));

    private static ResponseFormatMode? Fallback(ResponseFormatMode mode) => mode switch
    {
        ResponseFormatMode.JsonSchema => ResponseFormatMode.JsonObject,
        ResponseFormatMode.JsonObject => ResponseFormatMode.Text,
        _ => null,
    };

    private static string WireName(ResponseFormatMode mode) => mode switch
    {
        ResponseFormatMode.JsonSchema => "json_schema",
        ResponseFormatMode.JsonObject => "json_object",
        ResponseFormatMode.Text => "text",
        _ => "auto",
    };

    /// <summary>Servers sometimes echo the key in error bodies; it must not reach logs or events.</summary>
    private string Redact(string text) =>
        _options.ApiKey is { Length: > 0 } key ? text.Replace(key, "[redacted]", StringComparison.Ordinal) : text;
}
