namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>Counts consecutive failed connections of one stream and says how long to wait before the next.</summary>
internal sealed class ReconnectPolicy(TimeSpan backoff, TimeSpan maxBackoff, int maxAttempts)
{
    public int ConsecutiveFailures { get; private set; }

    public void Connected() => ConsecutiveFailures = 0;

    /// <summary>Records a failure; false when <c>max_attempts</c> is used up.</summary>
    public bool Failed()
    {
        ConsecutiveFailures++;
        return maxAttempts == 0 || ConsecutiveFailures < maxAttempts;
    }

    public TimeSpan NextDelay()
    {
        var factor = Math.Pow(2, Math.Min(ConsecutiveFailures - 1, 16));
        return TimeSpan.FromTicks((long)Math.Min(maxBackoff.Ticks, backoff.Ticks * factor));
    }
}
