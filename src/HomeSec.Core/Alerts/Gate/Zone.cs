namespace HomeSec.Core.Alerts.Gate;

public enum ZoneUnits
{
    /// <summary>Pixels of the source frame (what the detector's boxes are in).</summary>
    Pixels,

    /// <summary>0..1 of the frame's width and height, whatever its resolution.</summary>
    Relative,
}

/// <summary>A named polygon of a camera's picture. An object is in the zone when the bottom centre of its box (where it stands) is inside.</summary>
public sealed record Zone(string Name, IReadOnlyList<(double X, double Y)> Polygon, ZoneUnits Units)
{
    public bool Contains(DetectedBox box, int frameWidth, int frameHeight)
    {
        var x = (box.X1 + box.X2) / 2;
        var y = box.Y2;
        if (Units == ZoneUnits.Relative)
        {
            x /= Math.Max(1, frameWidth);
            y /= Math.Max(1, frameHeight);
        }

        return Inside(x, y);
    }

    /// <summary>Even-odd ray casting; a point on an edge counts as inside.</summary>
    private bool Inside(double x, double y)
    {
        var inside = false;
        for (int i = 0, j = Polygon.Count - 1; i < Polygon.Count; j = i++)
        {
            var (xi, yi) = Polygon[i];
            var (xj, yj) = Polygon[j];
            if (OnSegment(x, y, xi, yi, xj, yj))
            {
                return true;
            }

            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }
        }

        return inside;
    }

    private static bool OnSegment(double x, double y, double x1, double y1, double x2, double y2)
    {
        var cross = ((x - x1) * (y2 - y1)) - ((y - y1) * (x2 - x1));
        return Math.Abs(cross) < 1e-9 && x >= Math.Min(x1, x2) && x <= Math.Max(x1, x2) && y >= Math.Min(y1, y2) && y <= Math.Max(y1, y2);
    }
}
