using System.Buffers;
using System.Numerics;

namespace HomeSec.Core.Inference;

/// <summary>
/// Turns one image's slice of a YOLOv8/YOLO11 detection output into candidate boxes: per anchor the
/// best class, kept when its score reaches the minimum confidence. Rows are cx, cy, w, h (input pixels)
/// then one (already sigmoid) score per class; there is no objectness score.
/// </summary>
public static class YoloOutputDecoder
{
    public static void Decode(ReadOnlySpan<float> output, YoloLayout layout, int anchors, int classes, float minConfidence, List<Detection> into)
    {
        var channels = 4 + classes;
        if (output.Length != channels * anchors)
        {
            throw new ArgumentException($"an output of {output.Length} values does not hold {anchors} anchors of {channels} values", nameof(output));
        }

        if (layout == YoloLayout.AnchorsFirst)
        {
            for (var a = 0; a < anchors; a++)
            {
                var row = output.Slice(a * channels, channels);
                var scores = row[4..];
                var best = 0;
                for (var c = 1; c < classes; c++)
                {
                    if (scores[c] > scores[best])
                    {
                        best = c;
                    }
                }

                if (scores[best] >= minConfidence)
                {
                    into.Add(Box(best, scores[best], row[0], row[1], row[2], row[3]));
                }
            }

            return;
        }

        // Channels first: walk class rows in memory order, keeping the best class per anchor.
        var bestScore = ArrayPool<float>.Shared.Rent(anchors);
        var bestClass = ArrayPool<int>.Shared.Rent(anchors);
        try
        {
            output.Slice(4 * anchors, anchors).CopyTo(bestScore);
            Array.Clear(bestClass, 0, anchors);
            var width = Vector<float>.Count;
            var vectorEnd = Vector.IsHardwareAccelerated ? anchors - anchors % width : 0;
            for (var c = 1; c < classes; c++)
            {
                var row = output.Slice((4 + c) * anchors, anchors);
                var classVector = new Vector<int>(c);
                for (var a = 0; a < vectorEnd; a += width)
                {
                    var score = new Vector<float>(row[a..]);
                    var best = new Vector<float>(bestScore, a);
                    // Strictly greater, as in the scalar loop: the earlier class keeps a tie, and NaN never wins.
                    var better = Vector.GreaterThan(score, best);
                    Vector.ConditionalSelect(better, score, best).CopyTo(bestScore, a);
                    Vector.ConditionalSelect(better, classVector, new Vector<int>(bestClass, a)).CopyTo(bestClass, a);
                }

                for (var a = vectorEnd; a < anchors; a++)
                {
                    if (row[a] > bestScore[a])
                    {
                        bestScore[a] = row[a];
                        bestClass[a] = c;
                    }
                }
            }

            for (var a = 0; a < anchors; a++)
            {
                if (bestScore[a] >= minConfidence)
                {
                    into.Add(Box(bestClass[a], bestScore[a], output[a], output[anchors + a], output[2 * anchors + a], output[3 * anchors + a]));
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(bestScore);
            ArrayPool<int>.Shared.Return(bestClass);
        }
    }

    private static Detection Box(int classId, float score, float cx, float cy, float w, float h) =>
        new(classId, score, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
}
