using HomeSec.Core.Alerts;
using HomeSec.Core.Config;

namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>How the analyzer asks for structured output.</summary>
public enum ResponseFormatMode
{
    /// <summary>json_schema first; on a 400 that rejects it, json_object, then plain text (JSON asked for in the prompt).</summary>
    Auto,
    JsonSchema,
    JsonObject,
    Text,
}

/// <param name="BaseUrl">The OpenAI-compatible API root, e.g. https://api.openai.com/v1 or http://localhost:11434/v1.</param>
/// <param name="ApiKey">Sent as a bearer token; null for local servers that need none. Never printed.</param>
/// <param name="MaxFrames">Frames sent per clip.</param>
/// <param name="MaxSize">Longest side of a frame in pixels; frames are scaled down, never up.</param>
/// <param name="Quality">JPEG quality, 1 (smallest) to 100 (best).</param>
/// <param name="Prompt">What the model is asked; the JSON reply contract is always appended to it.</param>
/// <param name="Temperature">Null: not sent (some models accept only their default).</param>
/// <param name="MaxRetries">Extra attempts after a 429, a 5xx or a network error; other 4xx are never retried.</param>
/// <param name="RequestTimeout">For one HTTP attempt; vlm.timeout_s bounds the whole analysis, retries included.</param>
/// <param name="ActivityTypes">The activity vocabulary the reply must use (the schema's enum).</param>
public sealed record OpenAiAnalyzerOptions(
    Uri BaseUrl,
    string Model,
    string? ApiKey,
    int MaxFrames,
    int MaxSize,
    int Quality,
    string Prompt,
    ResponseFormatMode ResponseFormat,
    int MaxTokens,
    double? Temperature,
    int MaxRetries,
    TimeSpan RetryBackoff,
    TimeSpan MaxRetryBackoff,
    TimeSpan RequestTimeout,
    ActivityVocabulary ActivityTypes)
{
    public const string DefaultBaseUrl = "https://api.openai.com/v1";

    /// <summary>
    /// The request field that carries <see cref="MaxTokens"/>: <c>max_tokens</c> (Ollama, vLLM, LM Studio, older
    /// OpenAI models) or <c>max_completion_tokens</c> (OpenAI's newer models, which reject <c>max_tokens</c>).
    /// </summary>
    public string MaxTokensField { get; init; } = "max_tokens";

    public const string DefaultPrompt =
        """
        You are the analyst of a home security camera system. You get frames sampled in time order from one short
        clip recorded by a camera at a home. Describe what happens and rate the risk to the household.
        Risk levels: low = ordinary, expected activity (residents, passers-by, deliveries, animals);
        medium = unusual but not clearly threatening (an unknown person lingering, someone at the door late at night);
        high = a likely threat (trying door handles or windows, looking into cars, taking a package that is not theirs);
        critical = a crime or danger in progress (forced entry, a weapon, fire, violence).
        Describe only what is visible; do not guess who people are. Set requires_review to true when you are unsure
        or the frames are too dark or blurred to judge.
        """;

    public static OpenAiAnalyzerOptions Read(ConfigSection config)
    {
        var baseUrlText = config.String("base_url", DefaultBaseUrl)!;
        if (!Uri.TryCreate(baseUrlText.TrimEnd('/'), UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            config.Error("base_url", $"'{baseUrlText}' is not allowed; expected an absolute http or https URL such as {DefaultBaseUrl}");
            baseUrl = new Uri(DefaultBaseUrl);
        }

        var model = config.RequiredString("model");
        var apiKey = config.Secret("api_key_env", required: false);
        var maxFrames = config.Int("max_frames", 8, 1, 64);
        var maxSize = config.Int("max_size", 768, 64, 4096);
        var quality = config.Int("quality", 80, 1, 100);
        var prompt = config.String("prompt", DefaultPrompt)!;
        var responseFormat = config.Choice("response_format", ResponseFormatMode.Auto, new Dictionary<string, ResponseFormatMode>
        {
            ["auto"] = ResponseFormatMode.Auto,
            ["json_schema"] = ResponseFormatMode.JsonSchema,
            ["json_object"] = ResponseFormatMode.JsonObject,
            ["text"] = ResponseFormatMode.Text,
        });
        var maxTokens = config.Int("max_tokens", 1024, 16, 1_000_000);
        double? temperature = config.Has("temperature") ? config.Number("temperature", 1, 0, 2) : null;
        var maxRetries = config.Int("max_retries", 2, 0, 10);
        var retryBackoff = config.Seconds("retry_backoff_s", 1, 0, 600);
        var maxRetryBackoff = config.Seconds("max_retry_backoff_s", 30, 0, 3600);
        if (maxRetryBackoff < retryBackoff)
        {
            config.Error("max_retry_backoff_s", $"'{maxRetryBackoff.TotalSeconds}' is below retry_backoff_s ({retryBackoff.TotalSeconds}); expected max_retry_backoff_s ≥ retry_backoff_s");
        }

        var requestTimeout = config.Seconds("request_timeout_s", 60, 0.1, 3600);
        var maxTokensField = config.Choice("max_tokens_field", "max_tokens", new Dictionary<string, string>
        {
            ["max_tokens"] = "max_tokens",
            ["max_completion_tokens"] = "max_completion_tokens",
        });
        return new OpenAiAnalyzerOptions(baseUrl, model, apiKey, maxFrames, maxSize, quality, prompt, responseFormat, maxTokens, temperature,
            maxRetries, retryBackoff, maxRetryBackoff, requestTimeout, config.ActivityTypes) { MaxTokensField = maxTokensField };
    }

    /// <summary>The record's generated ToString would print the key.</summary>
    public override string ToString() =>
        $"openai {{ base_url = {BaseUrl}, model = {Model}, api_key = {(ApiKey is null ? "none" : "(set)")}, max_frames = {MaxFrames}, response_format = {ResponseFormat} }}";
}
