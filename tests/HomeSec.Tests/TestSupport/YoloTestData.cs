using System.Diagnostics;
using System.Globalization;
using HomeSec.Core.Inference;

namespace HomeSec.Tests.TestSupport;

/// <summary>
/// The committed test models (tests/models, made by make_red_patch_detector.py) and synthetic clips
/// made with ffmpeg: a red box (the test model's "person") moving over a dark scene, and scenes without one.
/// </summary>
public static class YoloTestData
{
    public const int ClipWidth = 1280;
    public const int ClipHeight = 720;

    /// <summary>The red box of <see cref="MakeMovingBoxClipAsync"/>: 160x320 at (80 + 80·t, 200).</summary>
    public const int BoxWidth = 160;
    public const int BoxHeight = 320;
    public const int BoxY = 200;

    public static string ModelsDir => Path.Combine(RepoPaths.Root, "tests", "models");

    public static string RedPatchModel => Path.Combine(ModelsDir, "red_patch_detector.onnx");

    public static string WrongShapeModel => Path.Combine(ModelsDir, "wrong_shape_classifier.onnx");

    public static double BoxXAt(double seconds) => 80 + 80 * seconds;

    /// <summary>A dark 1280x720 scene with a box of <paramref name="color"/> moving right; H.264, 10 fps.</summary>
    public static Task MakeMovingBoxClipAsync(string path, double seconds = 4, string color = "red") =>
        RunFfmpegAsync("-f", "lavfi", "-i",
            $"color=c=0x404040:s={ClipWidth}x{ClipHeight}:r=10:d={Format(seconds)}[bg];color=c={color}:s={BoxWidth}x{BoxHeight}:r=10[box];" +
            $"[bg][box]overlay=x='80+80*t':y={BoxY}:shortest=1",
            "-pix_fmt", "yuv420p", "-c:v", "libx264", path);

    /// <summary>The same dark scene with a white box moving about: nothing the test model reports.</summary>
    public static Task MakeEmptySceneClipAsync(string path, double seconds = 4) => MakeMovingBoxClipAsync(path, seconds, "white");

    /// <summary>A 1080p H.264 clip (testsrc2: moving, detailed) for the benchmark-sized real path.</summary>
    public static Task MakeBusyClipAsync(string path, double seconds, int width, int height) =>
        RunFfmpegAsync("-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25:duration={Format(seconds)}", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", path);

    /// <summary>An RGB24 frame of the model's input size: dark gray, with a red rectangle when given.</summary>
    public static byte[] Frame(DetectorModel model, (int X, int Y, int W, int H)? red = null)
    {
        var frame = new byte[model.FrameLength];
        Array.Fill(frame, (byte)64);
        if (red is { } r)
        {
            for (var y = r.Y; y < r.Y + r.H; y++)
            {
                for (var x = r.X; x < r.X + r.W; x++)
                {
                    var i = 3 * (y * model.InputWidth + x);
                    frame[i] = 255;
                    frame[i + 1] = 0;
                    frame[i + 2] = 0;
                }
            }
        }

        return frame;
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task RunFfmpegAsync(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-hide_banner", "-loglevel", "error", "-y" }.Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("ffmpeg is not installed (apt-get install ffmpeg)");
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {await errors}");
        }
    }
}
