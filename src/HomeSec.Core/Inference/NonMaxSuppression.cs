namespace HomeSec.Core.Inference;

/// <summary>Greedy non-maximum suppression per class: the best box wins, boxes of its class overlapping it more than the IoU threshold go.</summary>
public static class NonMaxSuppression
{
    public static List<Detection> Apply(IReadOnlyList<Detection> candidates, float iouThreshold)
    {
        var kept = new List<Detection>();
        foreach (var group in candidates.GroupBy(d => d.ClassId))
        {
            var ordered = group.OrderByDescending(d => d.Confidence).ToList();
            var suppressed = new bool[ordered.Count];
            for (var i = 0; i < ordered.Count; i++)
            {
                if (suppressed[i])
                {
                    continue;
                }

                kept.Add(ordered[i]);
                for (var j = i + 1; j < ordered.Count; j++)
                {
                    if (!suppressed[j] && Detection.IntersectionOverUnion(ordered[i], ordered[j]) > iouThreshold)
                    {
                        suppressed[j] = true;
                    }
                }
            }
        }

        return kept.OrderByDescending(d => d.Confidence).ToList();
    }
}
