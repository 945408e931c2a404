namespace HomeSec.Core.Plugins.Filters.Yolo;

/// <summary>Packed RGB24 pixels (HWC bytes) → the model's planar CHW floats in 0..1, without allocating.</summary>
public static class RgbToTensor
{
    private const float Scale = 1f / 255f;

    public static void Convert(ReadOnlySpan<byte> rgb, Span<float> chw)
    {
        var pixels = rgb.Length / 3;
        if (rgb.Length != pixels * 3 || chw.Length < pixels * 3)
        {
            throw new ArgumentException($"{rgb.Length} RGB bytes do not fit a tensor of {chw.Length} floats", nameof(chw));
        }

        var red = chw[..pixels];
        var green = chw.Slice(pixels, pixels);
        var blue = chw.Slice(2 * pixels, pixels);
        for (int i = 0, j = 0; i < pixels; i++, j += 3)
        {
            red[i] = rgb[j] * Scale;
            green[i] = rgb[j + 1] * Scale;
            blue[i] = rgb[j + 2] * Scale;
        }
    }
}
