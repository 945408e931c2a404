using HomeSec.Core.Results;

namespace HomeSec.Core.Alerts;

/// <summary>
/// What an alert says when the VLM failed: a short reason code and a sentence a person can read. The error itself
/// (endpoint, HTTP body, the model's reply) stays in the vlm_failed event and the log: it is long, may name internal
/// hosts, and is not for a push message, an email or MQTT.
/// </summary>
public static class NoAnalysisReasons
{
    /// <summary>The reason for the VLM error <paramref name="error"/>, chosen by its kind only (never its message).</summary>
    public static string ForVlmFailure(ErrorInfo error) => error.ExceptionType switch
    {
        nameof(TimeoutException) or nameof(TaskCanceledException) or nameof(OperationCanceledException)
            => "vlm_timeout: the description service did not answer in time",
        nameof(HttpRequestException) or "SocketException"
            => "vlm_unreachable: the description service could not be reached",
        "VlmHttpException" => "vlm_failed: the description service answered with an error",
        "VlmReplyException" or "JsonException" => "vlm_bad_reply: the description service's answer could not be read",
        _ => "vlm_failed: the description service did not answer",
    };
}
