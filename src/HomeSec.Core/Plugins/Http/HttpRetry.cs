namespace HomeSec.Core.Plugins.Http;

/// <summary>The retry rules the HTTP plugins share: exponential backoff, Retry-After, and which statuses are worth a retry.</summary>
public static class HttpRetry
{
    /// <summary>Retry n waits backoff · 2^(n-1), at most maxBackoff (attempt 2 is the first retry).</summary>
    public static TimeSpan BackoffBefore(int nextAttempt, TimeSpan backoff, TimeSpan maxBackoff) =>
        TimeSpan.FromTicks(Math.Min(maxBackoff.Ticks, (long)(backoff.Ticks * Math.Pow(2, Math.Max(0, nextAttempt - 2)))));

    /// <summary>The delay the server asked for, as seconds or as a date; null when it asked for none.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider clock) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>429 and 5xx may pass; other statuses will not change by asking again.</summary>
    public static bool IsRetryable(int status) => status == 429 || status >= 500;
}
