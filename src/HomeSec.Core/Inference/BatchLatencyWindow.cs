namespace HomeSec.Core.Inference;

/// <summary>
/// The recent runs of one inference actor: how long each batch took and how many frames it held, over the last
/// <see cref="Window"/> (at most <see cref="MaxBatches"/> of them), so that <c>inspect inference</c> shows today's
/// latency and throughput rather than an average since the daemon started. Not thread-safe: one actor owns it.
/// </summary>
public sealed class BatchLatencyWindow
{
    public const int MaxBatches = 512;

    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    private readonly Queue<(long AtMs, double Ms, int Frames)> _runs = new();

    /// <param name="nowMs">A monotonic clock in milliseconds (Environment.TickCount64).</param>
    public void Record(double ms, int frames, long nowMs)
    {
        _runs.Enqueue((nowMs, ms, frames));
        Trim(nowMs);
    }

    public BatchLatency Snapshot(long nowMs)
    {
        Trim(nowMs);
        return new BatchLatency(_runs.Select(r => r.Ms).ToArray(), _runs.Sum(r => (long)r.Frames), Window.TotalSeconds);
    }

    private void Trim(long nowMs)
    {
        while (_runs.Count > MaxBatches || (_runs.TryPeek(out var oldest) && nowMs - oldest.AtMs > Window.TotalMilliseconds))
        {
            _runs.Dequeue();
        }
    }
}

/// <summary>What a window saw: the batch times in it and the frames they held. Windows of several actors merge by adding them up.</summary>
public sealed record BatchLatency(IReadOnlyList<double> BatchMs, long Frames, double WindowSeconds)
{
    public static BatchLatency None { get; } = new([], 0, BatchLatencyWindow.Window.TotalSeconds);

    public double P50Ms => Percentile(BatchMs, 0.50);

    public double P99Ms => Percentile(BatchMs, 0.99);

    public double FramesPerSecond => WindowSeconds <= 0 ? 0 : Frames / WindowSeconds;

    /// <summary>Several actors of one pool (or one node) seen as one: their batches together, their frames added.</summary>
    public static BatchLatency Merge(IEnumerable<BatchLatency> windows)
    {
        var all = windows.ToList();
        return all.Count == 0
            ? None
            : new BatchLatency(all.SelectMany(w => w.BatchMs).ToArray(), all.Sum(w => w.Frames), all.Max(w => w.WindowSeconds));
    }

    /// <summary>The nearest-rank percentile (0 when there is nothing): the value at or below which a share <paramref name="q"/> of them lie.</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(Math.Clamp(q, 0, 1) * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
