using HomeSec.Core.Alerts;
using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>How the analyzer asks for structured output.</summary>
public enum ResponseFormatMode
{
    /// <summary>json_schema first; on a 400 that rejects it, json_object, then plain text (JSON asked for in the prompt).</summary>
    Auto,
    [OptionValue("json_schema")]
    JsonSchema,
    [OptionValue("json_object")]
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
    [property: Option("max_frames", Min = 1, Max = 64, Default = 8)] int MaxFrames,
    [property: Option("max_size", Min = 64, Max = 4096, Default = 768)] int MaxSize,
    [property: Option("quality", Min = 1, Max = 100, Default = 80)] int Quality,
    [property: Option("prompt", Default = OpenAiAnalyzerOptions.DefaultPrompt)] string Prompt,
    [property: Option("response_format", Default = ResponseFormatMode.Auto)] ResponseFormatMode ResponseFormat,
    [property: Option("max_tokens", Min = 16, Max = 1_000_000, Default = 1024)] int MaxTokens,
    double? Temperature,
    [property: Option("max_retries", Min = 0, Max = 10, Default = 2)] int MaxRetries,
    [property: Option("retry_backoff_s", Min = 0, Max = 600, Default = 1)] TimeSpan RetryBackoff,
    [property: Option("max_retry_backoff_s", Min = 0, Max = 3600, Default = 30)] TimeSpan MaxRetryBackoff,
    [property: Option("request_timeout_s", Min = 0.1, Max = 3600, Default = 60)] TimeSpan RequestTimeout,
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
        var options = OptionBinder.Bind<OpenAiAnalyzerOptions>(config);
        double? temperature = config.Has("temperature") ? config.Number("temperature", 1, 0, 2) : null;
        if (options.MaxRetryBackoff < options.RetryBackoff)
        {
            config.Error("max_retry_backoff_s", $"'{options.MaxRetryBackoff.TotalSeconds}' is below retry_backoff_s ({options.RetryBackoff.TotalSeconds}); expected max_retry_backoff_s ≥ retry_backoff_s");
        }

        var maxTokensField = config.Choice("max_tokens_field", options.MaxTokensField, new Dictionary<string, string>
        {
            ["max_tokens"] = "max_tokens",
            ["max_completion_tokens"] = "max_completion_tokens",
        });
        return options with
        {
            BaseUrl = baseUrl,
            Model = model,
            ApiKey = apiKey,
            Temperature = temperature,
            ActivityTypes = config.ActivityTypes,
            MaxTokensField = maxTokensField,
        };
    }

    /// <summary>The record's generated ToString would print the key.</summary>
    public override string ToString() =>
        $"openai {{ base_url = {BaseUrl}, model = {Model}, api_key = {(ApiKey is null ? "none" : "(set)")}, max_frames = {MaxFrames}, response_format = {ResponseFormat} }}";
}
