using System.Globalization;
using HomeSec.Core.Clips;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins;

namespace HomeSec.Core.Alerts.Live;

/// <summary>
/// The filter's result made from what live detection saw during the recording (same model, same rules), so an RTSP
/// clip in which a trigger class was seen is not decoded a second time. A recording where live detection saw nothing is
/// still filtered: live detection looks only while recording, at its own rate, and the pre-roll it never saw.
/// </summary>
public static class LiveDetectionReuse
{
    public static FilterResult? FilterResultOf(RecordedClip clip, IObjectFilter filter)
    {
        if (clip.LiveDetections is not { Count: > 0 } frames || clip.LiveFrameSize is not var (width, height))
        {
            return null;
        }

        var boxes = frames.SelectMany(f => f.Boxes).ToList();
        var model = filter is Plugins.Filters.Yolo.YoloFilter yolo ? yolo.Model.Name : "live";
        return new FilterResult([.. boxes.Select(b => b.Class).Distinct(StringComparer.Ordinal)], boxes.Max(b => b.Confidence), frames.Count, model)
        {
            Frames = frames,
            FrameWidth = width,
            FrameHeight = height,
            FromLiveDetection = true,
        };
    }

    /// <summary>A detect-frame box in the clip's pixels (ffprobe reads the clip's size); unchanged when the size is unknown.</summary>
    public static async Task<DetectedBox> ToClipPixelsAsync(DetectedBox box, FilterResult result, string clipPath, CancellationToken cancellationToken)
    {
        if (result.FrameWidth is not { } fromWidth || result.FrameHeight is not { } fromHeight)
        {
            return box;
        }

        var probe = await FfmpegProcess.RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", clipPath], cancellationToken);
        var parts = System.Text.Encoding.ASCII.GetString(probe.StandardOutput).Trim().Split(',');
        if (probe.ExitCode != 0 || parts.Length < 2 ||
            !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var width) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var height))
        {
            return box;
        }

        double sx = (double)width / fromWidth, sy = (double)height / fromHeight;
        return box with { X1 = box.X1 * sx, Y1 = box.Y1 * sy, X2 = box.X2 * sx, Y2 = box.Y2 * sy };
    }
}
