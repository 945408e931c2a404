using System.Globalization;
using HomeSec.Core.Media;

namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>One JPEG frame of a clip and where in the clip it was taken.</summary>
public sealed record ClipFrame(TimeSpan At, byte[] Jpeg);

/// <summary>Takes JPEG frames out of a clip with ffmpeg, scaled so the longest side is at most <c>maxSize</c>.</summary>
public sealed class ClipFrameExtractor(int maxFrames, int maxSize, int quality)
{
    /// <param name="fallbackDuration">Used when ffprobe cannot tell the clip's length (e.g. a raw stream).</param>
    /// <param name="preferredTimestamps">Moments to prefer, e.g. where the detector saw a trigger class; may be empty.</param>
    public async Task<IReadOnlyList<ClipFrame>> ExtractAsync(
        string clipPath, TimeSpan fallbackDuration, IReadOnlyList<TimeSpan> preferredTimestamps, CancellationToken cancellationToken)
    {
        if (!File.Exists(clipPath))
        {
            throw new FileNotFoundException($"clip file '{clipPath}' does not exist", clipPath);
        }

        var duration = await ProbeDurationAsync(clipPath, cancellationToken) ?? fallbackDuration;
        var frames = new List<ClipFrame>();
        var lastError = "";
        foreach (var at in FrameTimestamps.Choose(duration, maxFrames, preferredTimestamps))
        {
            var output = await FfmpegProcess.RunAsync("ffmpeg", FrameArguments(clipPath, at), cancellationToken);
            if (output.ExitCode == 0 && output.StandardOutput.Length > 0)
            {
                frames.Add(new ClipFrame(at, output.StandardOutput));
            }
            else
            {
                lastError = output.StandardError.Trim();
            }
        }

        return frames.Count > 0
            ? frames
            : throw new InvalidDataException($"ffmpeg could not take any frame from '{clipPath}': {lastError}");
    }

    /// <summary>ffmpeg's JPEG scale: 2 is best, 31 smallest.</summary>
    internal static int FfmpegJpegScale(int quality) => (int)Math.Round(2 + (100 - quality) * 29.0 / 99.0);

    private IEnumerable<string> FrameArguments(string clipPath, TimeSpan at) =>
    [
        "-hide_banner", "-loglevel", "error", "-nostdin",
        "-ss", at.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
        .. FfmpegInput.Arguments(clipPath),
        "-frames:v", "1",
        "-vf", $"scale=w='if(gte(iw,ih),min(iw,{maxSize}),-2)':h='if(gte(iw,ih),-2,min(ih,{maxSize}))',format=yuvj420p",
        "-q:v", FfmpegJpegScale(quality).ToString(CultureInfo.InvariantCulture),
        "-f", "image2pipe", "-c:v", "mjpeg", "pipe:1",
    ];

    private static async Task<TimeSpan?> ProbeDurationAsync(string clipPath, CancellationToken cancellationToken)
    {
        var output = await FfmpegProcess.RunAsync("ffprobe",
            ["-v", "error", .. FfmpegInput.Arguments(clipPath), "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1"], cancellationToken);
        var text = System.Text.Encoding.UTF8.GetString(output.StandardOutput).Trim();
        return output.ExitCode == 0 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }
}
