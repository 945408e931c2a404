namespace HomeSec.Core.Plugins.Filters.Yolo;

/// <summary>
/// How a source frame sits in the model input after ffmpeg's
/// <c>scale=W:H:force_original_aspect_ratio=decrease,pad=W:H:(ow-iw)/2:(oh-ih)/2</c>, and the way back.
/// </summary>
public readonly record struct Letterbox(int SourceWidth, int SourceHeight, int InputWidth, int InputHeight, int ScaledWidth, int ScaledHeight, int PadX, int PadY)
{
    /// <summary>The same arithmetic as ffmpeg's scale filter (av_rescale rounds to nearest) and pad's integer offsets.</summary>
    public static Letterbox For(int sourceWidth, int sourceHeight, int inputWidth, int inputHeight)
    {
        if (sourceWidth <= 0 || sourceHeight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceWidth), $"source size {sourceWidth}x{sourceHeight} is not a picture");
        }

        var widthForHeight = (int)Math.Round((double)inputHeight * sourceWidth / sourceHeight, MidpointRounding.AwayFromZero);
        var heightForWidth = (int)Math.Round((double)inputWidth * sourceHeight / sourceWidth, MidpointRounding.AwayFromZero);
        var scaledWidth = Math.Max(1, Math.Min(widthForHeight, inputWidth));
        var scaledHeight = Math.Max(1, Math.Min(heightForWidth, inputHeight));
        return new Letterbox(sourceWidth, sourceHeight, inputWidth, inputHeight, scaledWidth, scaledHeight,
            (inputWidth - scaledWidth) / 2, (inputHeight - scaledHeight) / 2);
    }

    public double ScaleX => (double)SourceWidth / ScaledWidth;

    public double ScaleY => (double)SourceHeight / ScaledHeight;

    /// <summary>A box in model-input pixels → source pixels, clipped to the source frame.</summary>
    public (double X1, double Y1, double X2, double Y2) ToSource(double x1, double y1, double x2, double y2) =>
        (Math.Clamp((x1 - PadX) * ScaleX, 0, SourceWidth),
         Math.Clamp((y1 - PadY) * ScaleY, 0, SourceHeight),
         Math.Clamp((x2 - PadX) * ScaleX, 0, SourceWidth),
         Math.Clamp((y2 - PadY) * ScaleY, 0, SourceHeight));

    /// <summary>
    /// Draws an RGB24 source frame into an RGB24 model input the way ffmpeg's letterbox does (grey 0x72 padding),
    /// nearest-neighbour: for live frames, which arrive decoded and small, so no second ffmpeg is needed.
    /// </summary>
    public void Draw(ReadOnlySpan<byte> source, Span<byte> input)
    {
        input[..(InputWidth * InputHeight * 3)].Fill(0x72);
        for (var y = 0; y < ScaledHeight; y++)
        {
            var sourceRow = Math.Min(SourceHeight - 1, (int)(y * ScaleY)) * SourceWidth * 3;
            var inputRow = ((y + PadY) * InputWidth + PadX) * 3;
            for (var x = 0; x < ScaledWidth; x++)
            {
                var from = sourceRow + (Math.Min(SourceWidth - 1, (int)(x * ScaleX)) * 3);
                var to = inputRow + (x * 3);
                input[to] = source[from];
                input[to + 1] = source[from + 1];
                input[to + 2] = source[from + 2];
            }
        }
    }
}
