namespace HomeSec.Core.Inference;

/// <summary>One box the model reported, in the model's input pixels (x1, y1 top left; x2, y2 bottom right).</summary>
public readonly record struct Detection(int ClassId, float Confidence, float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;

    public float Height => Y2 - Y1;

    public float Area => Math.Max(0, Width) * Math.Max(0, Height);

    public static float IntersectionOverUnion(in Detection a, in Detection b)
    {
        var w = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        var h = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var intersection = w * h;
        var union = a.Area + b.Area - intersection;
        return union <= 0 ? 0 : intersection / union;
    }
}
