namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>Which moments of a clip become the frames the model sees.</summary>
public static class FrameTimestamps
{
    /// <summary>
    /// Up to <paramref name="count"/> timestamps in order. <paramref name="preferred"/> (e.g. where the detector saw a
    /// trigger class) are taken first, spread evenly when there are more than fit; the remaining slots are evenly spaced
    /// over the clip, skipping spots close to a preferred one.
    /// </summary>
    public static IReadOnlyList<TimeSpan> Choose(TimeSpan duration, int count, IReadOnlyList<TimeSpan> preferred)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (duration <= TimeSpan.Zero)
        {
            return [TimeSpan.Zero];
        }

        var usable = preferred.Where(t => t >= TimeSpan.Zero && t < duration).Distinct().Order().ToList();
        if (usable.Count >= count)
        {
            return Enumerable.Range(0, count).Select(i => usable[i * usable.Count / count]).ToList();
        }

        var chosen = new List<TimeSpan>(usable);
        var minimumGap = duration / (2.0 * count);
        foreach (var evenlySpaced in Enumerable.Range(0, count).Select(i => duration * ((i + 0.5) / count)))
        {
            if (chosen.Count == count)
            {
                break;
            }

            if (usable.All(p => (p - evenlySpaced).Duration() >= minimumGap))
            {
                chosen.Add(evenlySpaced);
            }
        }

        return chosen.Order().ToList();
    }
}
