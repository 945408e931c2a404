using System.Diagnostics;
using System.Globalization;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>Reads real video files back with ffprobe and ffmpeg.</summary>
public static class VideoFile
{
    public static async Task<double> DurationSecondsAsync(string path)
    {
        var (exit, output, errors) = await RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path]);
        return exit == 0 ? double.Parse(System.Text.Encoding.UTF8.GetString(output).Trim(), CultureInfo.InvariantCulture) : throw new InvalidOperationException($"ffprobe failed on {path}: {errors}");
    }

    /// <summary>Decodes every frame (failing on decode errors) and reads the frame number the synthetic camera drew into it.</summary>
    public static async Task<IReadOnlyList<int>> FrameNumbersAsync(string path)
    {
        var (exit, output, errors) = await RunAsync("ffmpeg", ["-v", "error", "-xerror", "-i", path, "-vf", $"scale={RtspServer.Width}:{RtspServer.Height}", "-pix_fmt", "gray", "-f", "rawvideo", "pipe:1"]);
        if (exit != 0 || errors.Length > 0)
        {
            throw new InvalidOperationException($"ffmpeg could not decode {path} cleanly: {errors}");
        }

        const int frameSize = RtspServer.Width * RtspServer.Height;
        var numbers = new List<int>();
        for (var offset = 0; offset + frameSize <= output.Length; offset += frameSize)
        {
            var number = 0;
            for (var bit = 0; bit < 16; bit++)
            {
                // The centre of block `bit` (12x12 pixels) in the top edge.
                if (output[offset + (6 * RtspServer.Width) + (bit * 12) + 6] > 128)
                {
                    number |= 1 << bit;
                }
            }

            numbers.Add(number);
        }

        return numbers;
    }

    /// <summary>Stream copy into another container, e.g. to make the .ts a crash leaves behind.</summary>
    public static async Task RemuxAsync(string from, string to)
    {
        var (exit, _, errors) = await RunAsync("ffmpeg", ["-v", "error", "-y", "-i", from, "-c", "copy", "-f", "mpegts", to]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"ffmpeg could not remux {from}: {errors}");
        }
    }

    private static async Task<(int ExitCode, byte[] Output, string Errors)> RunAsync(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        await Task.WhenAll(copy, errors);
        await process.WaitForExitAsync();
        return (process.ExitCode, output.ToArray(), (await errors).Trim());
    }
}
