using System.Globalization;

namespace HomeSec.Core.Media;

/// <summary>
/// A small JPEG of a clip for the review list, made on first view (ffmpeg, one frame, 320 px wide) and kept beside the
/// clip in <c>.homesec/thumbnails/{clip_id}.jpg</c>, where retention removes it with the clip. Clips with an alert
/// snapshot use that instead.
/// </summary>
public static class Thumbnail
{
    public const int Width = 320;

    public static string PathFor(string clipPath, string clipId) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(clipPath))!, ".homesec", "thumbnails", $"{clipId}.jpg");

    /// <summary>The local files that belong to a clip besides itself (its snapshot and thumbnail).</summary>
    public static IEnumerable<string> SidecarsOf(string clipPath, string clipId)
    {
        var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(clipPath))!, ".homesec");
        yield return Path.Combine(folder, "snapshots", $"{clipId}.jpg");
        yield return Path.Combine(folder, "thumbnails", $"{clipId}.jpg");
    }

    /// <summary>Writes the thumbnail atomically; false when ffmpeg could not make one (a broken clip).</summary>
    public static async Task<bool> MakeAsync(string clipPath, double durationS, string output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var temp = output + $".{Guid.NewGuid():N}.partial.jpg";
        // A frame a little into the clip: the first one of a motion clip is often the empty scene before the motion.
        var at = Math.Clamp(durationS * 0.3, 0, 5).ToString("0.###", CultureInfo.InvariantCulture);
        var arguments = new List<string> { "-hide_banner", "-loglevel", "error", "-y", "-ss", at };
        arguments.AddRange(FfmpegInput.Arguments(clipPath));
        arguments.AddRange(["-frames:v", "1", "-vf", $"scale={Width}:-2", "-q:v", "5", "-f", "image2", "-c:v", "mjpeg", temp]);
        try
        {
            var result = await FfmpegProcess.RunAsync("ffmpeg", arguments, cancellationToken);
            if (result.ExitCode != 0 || !File.Exists(temp) || new FileInfo(temp).Length == 0)
            {
                return false;
            }

            File.Move(temp, output, overwrite: true);
            return true;
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
