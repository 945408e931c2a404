using System.Diagnostics;
using System.Globalization;

namespace HomeSec.TestSupport;

/// <summary>Makes real video files with the ffmpeg that users have.</summary>
public static class Ffmpeg
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<byte[]>>> SmallClips = new(StringComparer.Ordinal);

    /// <summary>
    /// The bytes of a small real clip (1 s, 64x48) in the container of <paramref name="extension"/>, made once per
    /// test run: for tests that need content ffprobe accepts as a video, not about the video itself.
    /// </summary>
    public static Task<byte[]> SmallClipBytesAsync(string extension = ".mp4") =>
        SmallClips.GetOrAdd(extension, e => new Lazy<Task<byte[]>>(async () =>
        {
            var path = Path.Combine(Path.GetTempPath(), $"homesec-small-clip-{Guid.NewGuid():N}{e}");
            try
            {
                await MakeTestClipAsync(path, seconds: 1, width: 64, height: 48);
                return await File.ReadAllBytesAsync(path);
            }
            finally
            {
                File.Delete(path);
            }
        })).Value;

    /// <summary>A clip of ffmpeg's moving test pattern (H.264, yuv420p, 10 fps).</summary>
    public static Task MakeTestClipAsync(string path, double seconds = 2, int width = 320, int height = 240) =>
        MakeClipAsync(path, $"testsrc=size={width}x{height}:rate=10", seconds);

    /// <summary>
    /// A clip drawn by a lavfi filter graph (e.g. a red box over grey for the red-patch detector); without
    /// <paramref name="seconds"/> the graph decides the length (a <c>d=</c> on its sources).
    /// </summary>
    public static async Task MakeClipAsync(string path, string lavfiGraph, double? seconds = null)
    {
        var startInfo = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        string[] length = seconds is { } s ? ["-t", s.ToString(CultureInfo.InvariantCulture)] : [];
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", lavfiGraph, .. length, "-pix_fmt", "yuv420p", "-c:v", "libx264", path])
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("ffmpeg is not installed (apt-get install ffmpeg)");
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {errors}");
        }
    }

    /// <summary>Width and height from a JPEG's start-of-frame marker.</summary>
    public static (int Width, int Height) JpegSize(byte[] jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            throw new InvalidDataException("not a JPEG (no SOI marker)");
        }

        var i = 2;
        while (i + 9 < jpeg.Length)
        {
            if (jpeg[i] != 0xFF)
            {
                throw new InvalidDataException($"bad JPEG marker at {i}");
            }

            var marker = jpeg[i + 1];
            var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
            if (marker is >= 0xC0 and <= 0xC3)
            {
                return ((jpeg[i + 7] << 8) | jpeg[i + 8], (jpeg[i + 5] << 8) | jpeg[i + 6]);
            }

            i += 2 + length;
        }

        throw new InvalidDataException("no start-of-frame marker in the JPEG");
    }
}
