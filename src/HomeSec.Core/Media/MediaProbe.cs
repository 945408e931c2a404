using System.Globalization;
using System.Text;

namespace HomeSec.Core.Media;

/// <summary>What a content check found: a video (with its duration) or why the file is not one.</summary>
public sealed record MediaCheck(bool IsVideo, TimeSpan Duration, string Reason)
{
    public static MediaCheck NotVideo(string reason) => new(false, TimeSpan.Zero, reason);

    /// <summary>ffprobe could not be started (not installed): nothing was checked.</summary>
    public bool ProbeMissing { get; init; }
}

/// <summary>Decides whether a file is a video before it becomes a clip.</summary>
public interface IMediaProbe
{
    Task<MediaCheck> CheckAsync(string path, CancellationToken cancellationToken);
}

/// <summary>
/// ffprobe with the safe input of <see cref="FfmpegInput"/>: a file is a video when an allowed
/// container demuxer opens it, it has at least one video stream and a positive duration. Anything
/// else (text, an empty file, a playlist, a broken upload) is not, and the reason says why.
/// </summary>
public sealed class FfprobeMediaProbe(TimeSpan? timeout = null) : IMediaProbe
{
    private const int ReasonLimit = 300;
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);

    public async Task<MediaCheck> CheckAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return MediaCheck.NotVideo("empty or missing file");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        FfmpegProcess.Output output;
        try
        {
            output = await FfmpegProcess.RunAsync("ffprobe",
                ["-v", "error", .. FfmpegInput.Arguments(path), "-show_entries", "format=duration:stream=codec_type", "-of", "default=noprint_wrappers=1"],
                limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return MediaCheck.NotVideo($"ffprobe took longer than {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (InvalidOperationException ex)
        {
            return MediaCheck.NotVideo(ex.Message) with { ProbeMissing = true };
        }

        if (output.ExitCode != 0)
        {
            return MediaCheck.NotVideo($"not a video container ffprobe accepts: {Shorten(output.StandardError)}");
        }

        var lines = Encoding.UTF8.GetString(output.StandardOutput).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!lines.Contains("codec_type=video", StringComparer.Ordinal))
        {
            return MediaCheck.NotVideo("no video stream");
        }

        var duration = lines.Where(l => l.StartsWith("duration=", StringComparison.Ordinal))
            .Select(l => double.TryParse(l["duration=".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0)
            .DefaultIfEmpty(0)
            .Max();
        return duration > 0 && double.IsFinite(duration)
            ? new MediaCheck(true, TimeSpan.FromSeconds(duration), "video")
            : MediaCheck.NotVideo("no positive duration");
    }

    private static string Shorten(string text)
    {
        var trimmed = text.Trim().ReplaceLineEndings(" ");
        return trimmed.Length <= ReasonLimit ? trimmed : trimmed[..ReasonLimit] + "…";
    }
}
