namespace HomeSec.Core.Plugins;

/// <summary>
/// Thrown by a notifier when the receiver is busy and asked to be tried again later (HTTP 429, or a 503 with
/// Retry-After; Telegram's <c>parameters.retry_after</c>). The pipeline retries it like any other failure, but not
/// before <see cref="RetryAfter"/> (capped at its own maximum backoff). The message must never contain a secret.
/// </summary>
/// <param name="retryAfter">How long the receiver asked to wait; null when it did not say.</param>
public sealed class DeliveryDeferredException(string message, TimeSpan? retryAfter, Exception? innerException = null)
    : Exception(message, innerException)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
