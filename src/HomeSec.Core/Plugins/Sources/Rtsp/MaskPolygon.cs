using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

public enum MaskUnits
{
    /// <summary>Pixels of the detect frame.</summary>
    Pixels,

    /// <summary>Fractions 0..1 of the frame's width and height, independent of the detect size.</summary>
    Relative,
}

/// <summary>A polygon of the picture whose pixels never count as motion.</summary>
public sealed record MaskPolygon(IReadOnlyList<(double X, double Y)> Points, MaskUnits Units)
{
    public static bool TryParse(string text, MaskUnits units, [NotNullWhen(true)] out MaskPolygon? polygon, out string problem)
    {
        polygon = null;
        var points = new List<(double, double)>();
        foreach (var pair in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var xy = pair.Split(',');
            if (xy.Length != 2
                || !double.TryParse(xy[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                || !double.TryParse(xy[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
            {
                problem = $"'{pair}' is not a point x,y";
                return false;
            }

            if (units == MaskUnits.Relative && (x is < 0 or > 1 || y is < 0 or > 1))
            {
                problem = $"'{pair}' is outside 0..1 (motion_mask_units: relative)";
                return false;
            }

            points.Add((x, y));
        }

        if (points.Count < 3)
        {
            problem = "fewer than 3 points";
            return false;
        }

        polygon = new MaskPolygon(points, units);
        problem = "";
        return true;
    }
}
