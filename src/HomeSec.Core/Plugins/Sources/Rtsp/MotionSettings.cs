using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>The seed's motion parameters.</summary>
/// <param name="PixelThreshold">A pixel changed when its blurred brightness moved more than this (0-255).</param>
/// <param name="MinChangedPct">Motion when at least this share of the watched pixels changed.</param>
/// <param name="RecordingSensitivityFactor">While recording, motion needs only MinChangedPct / factor, so a slowing subject keeps the clip alive.</param>
/// <param name="BlurKernel">Odd side of the blur window that removes sensor noise before comparing.</param>
public sealed record MotionSettings(
    [property: Option("pixel_threshold", Min = 1, Max = 255)] int PixelThreshold = 45,
    [property: Option("min_changed_pct", Min = 0.001, Max = 100)] double MinChangedPct = 1.0,
    [property: Option("recording_sensitivity_factor", Min = 1, Max = 100)] double RecordingSensitivityFactor = 2.0,
    [property: Option("blur_kernel", Min = 1, Max = 15, Description = "odd")] int BlurKernel = 5)
{
    public double KeepAliveChangedPct => MinChangedPct / RecordingSensitivityFactor;
}
