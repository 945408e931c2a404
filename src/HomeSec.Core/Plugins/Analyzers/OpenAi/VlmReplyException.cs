namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>The server answered, but not with a valid analysis. The message keeps the raw reply (truncated) for debugging.</summary>
public sealed class VlmReplyException(string problem, string rawReply)
    : Exception($"the VLM reply is not a valid analysis: {problem}; raw reply: {Truncated(rawReply)}")
{
    public const int MaxRawReplyInMessage = 2000;

    public string Problem { get; } = problem;

    public string RawReply { get; } = rawReply;

    internal static string Truncated(string text, int maxLength = MaxRawReplyInMessage) =>
        text.Length <= maxLength ? text : $"{text[..maxLength]}… [{text.Length - maxLength} more characters]";
}

/// <summary>The server answered with an HTTP error that is not retried, or still failed after the retries.</summary>
public sealed class VlmHttpException(int statusCode, string responseBody, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>What the server said, with the API key redacted.</summary>
    public string ResponseBody { get; } = responseBody;
}
