namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>
/// The mask polygons rasterised once for one frame size: a pixel whose centre lies inside any polygon
/// (even-odd rule) is ignored by the motion detector.
/// </summary>
public sealed class MotionMask
{
    private MotionMask(int width, int height, bool[] ignored, int ignoredCount)
    {
        Width = width;
        Height = height;
        Ignored = ignored;
        IgnoredCount = ignoredCount;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Row-major, one entry per pixel.</summary>
    public IReadOnlyList<bool> Ignored { get; }

    public int IgnoredCount { get; }

    public static MotionMask Rasterise(int width, int height, IReadOnlyList<MaskPolygon> polygons)
    {
        var ignored = new bool[width * height];
        var count = 0;
        foreach (var polygon in polygons)
        {
            var points = polygon.Points
                .Select(p => polygon.Units == MaskUnits.Relative ? (X: p.X * width, Y: p.Y * height) : (p.X, p.Y))
                .ToArray();
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    if (!ignored[(y * width) + x] && Contains(points, x + 0.5, y + 0.5))
                    {
                        ignored[(y * width) + x] = true;
                        count++;
                    }
                }
            }
        }

        return new MotionMask(width, height, ignored, count);
    }

    private static bool Contains((double X, double Y)[] polygon, double x, double y)
    {
        var inside = false;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            var (xi, yi) = polygon[i];
            var (xj, yj) = polygon[j];
            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
