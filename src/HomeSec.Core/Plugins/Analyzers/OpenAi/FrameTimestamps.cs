namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>Which moments of a clip become the frames the model sees.</summary>
public static class FrameTimestamps
{
    /// <summary>
    /// Up to <paramref name="count"/> timestamps in order, one in each of <paramref name="count"/> equal parts of the clip,
    /// so the model sees the whole clip, its end included. A part holding a <paramref name="preferred"/> moment (where the
    /// detector saw a trigger class; best first) shows the best of them; any other part shows its middle.
    /// </summary>
    /// <remarks>
    /// Filling the free slots from the start, as before, left the end of a long clip unseen once a few detection
    /// frames took their slots; one frame per part keeps the detection frame and the coverage.
    /// </remarks>
    public static IReadOnlyList<TimeSpan> Choose(TimeSpan duration, int count, IReadOnlyList<TimeSpan> preferred)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (duration <= TimeSpan.Zero)
        {
            return [TimeSpan.Zero];
        }

        var usable = preferred.Where(t => t >= TimeSpan.Zero && t < duration).Distinct().ToList();
        return Enumerable.Range(0, count)
            .Select(i =>
            {
                var start = duration * ((double)i / count);
                var end = i == count - 1 ? duration : duration * ((double)(i + 1) / count);
                // usable keeps the caller's order (best first), so the first one inside the part is its best.
                var best = usable.FirstOrDefault(t => t >= start && t < end, TimeSpan.MinValue);
                return best == TimeSpan.MinValue ? duration * ((i + 0.5) / count) : best;
            })
            .ToList();
    }
}
