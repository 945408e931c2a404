using System.Globalization;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;

namespace HomeSec.Core.Media;

/// <summary>
/// The picture of an alert: the frame where the detector was surest of a trigger-class object, as a JPEG with that
/// object's box drawn (ffmpeg's drawbox), kept beside the clip in <c>.homesec/snapshots/{clip_id}.jpg</c>.
/// </summary>
public static class Snapshot
{
    public const string StorageFileName = "snapshot.jpg";

    public static string PathFor(RecordedClip clip) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(clip.LocalPath))!, ".homesec", "snapshots", $"{clip.ClipId}.jpg");

    /// <summary>The best box of a trigger class (any class when none is a trigger), and when it was seen; null without boxes.</summary>
    public static (double TimeS, DetectedBox Box)? BestDetection(FilterResult result, IReadOnlyCollection<string> triggerClasses)
    {
        var all = (result.Frames ?? []).SelectMany(f => f.Boxes.Select(b => (f.TimeS, Box: b))).ToList();
        var triggers = all.Where(d => triggerClasses.Contains(d.Box.Class, StringComparer.OrdinalIgnoreCase)).ToList();
        var candidates = triggers.Count > 0 ? triggers : all;
        return candidates.Count == 0 ? null : candidates.MaxBy(d => d.Box.Confidence);
    }

    /// <summary>Writes the snapshot (atomically); throws when ffmpeg fails.</summary>
    public static async Task MakeAsync(string clipPath, double timeS, DetectedBox box, string output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(output)!);
        var temp = output + ".partial.jpg";
        var thickness = 4;
        string N(double value) => Math.Max(0, Math.Round(value)).ToString(CultureInfo.InvariantCulture);
        var arguments = new List<string> { "-hide_banner", "-loglevel", "error", "-y", "-ss", timeS.ToString("0.###", CultureInfo.InvariantCulture) };
        arguments.AddRange(FfmpegInput.Arguments(clipPath));
        arguments.AddRange(["-frames:v", "1", "-vf",
            $"drawbox=x={N(box.X1)}:y={N(box.Y1)}:w={N(box.X2 - box.X1)}:h={N(box.Y2 - box.Y1)}:color=yellow@0.9:t={thickness}",
            "-q:v", "3", "-f", "image2", "-c:v", "mjpeg", temp]);
        try
        {
            var result = await FfmpegProcess.RunAsync("ffmpeg", arguments, cancellationToken);
            if (result.ExitCode != 0 || !File.Exists(temp) || new FileInfo(temp).Length == 0)
            {
                throw new InvalidDataException($"ffmpeg could not take the snapshot (exit {result.ExitCode}): {result.StandardError.Trim()}");
            }

            File.Move(temp, output, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
