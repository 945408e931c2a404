using System.Diagnostics;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>Makes real video files with the ffmpeg that users have.</summary>
public static class Ffmpeg
{
    public static async Task MakeTestClipAsync(string path, double seconds = 2, string size = "320x240")
    {
        var startInfo = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in new[]
                 {
                     "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc=size={size}:rate=10",
                     "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p", "-c:v", "libx264", path,
                 })
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
}
