using System.Diagnostics;
using Akka.Actor;
using Akka.Serialization;
using HomeSec.Actors.Hosting;
using HomeSec.Core.Inference;
using SkiaSharp;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Benchmarks;

/// <summary>
/// The issue's question "would JPEG frames be cheaper for the NVR?", measured: per letterboxed 640×640 frame, the NVR's CPU
/// time and the bytes on the wire of what HomeSec sends (the binary serializer, the baseline) beside a JPEG at quality 90
/// (SkiaSharp's libjpeg-turbo, RGB24 to RGBA first since Skia has no 24-bit type) and what decoding it costs the inference
/// node. Two pictures: a camera-like test pattern (ffmpeg's testsrc2) and noise (what no encoder can shrink).
/// </summary>
public static class JpegAlternative
{
    private const int Quality = 90;
    private const int Rounds = 100;

    public static async Task RunAsync(DetectorModel model, byte[] noiseFrame)
    {
        using var system = ActorSystem.Create("jpeg-bench",
            Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(HomeSecAkkaExtensions.HomeSecConfig()));
        var pattern = await TestPatternFrameAsync(model);
        Console.WriteLine($"JPEG instead of the binary frame (quality {Quality}, {Rounds} rounds, one core):");
        Console.WriteLine($"{"picture",-22} {"binary bytes",13} {"jpeg bytes",11} {"binary NVR ms",14} {"jpeg NVR ms",12} {"ratio",6} {"jpeg decode ms",15}");
        foreach (var (name, frame) in new[] { ("test pattern (testsrc2)", pattern), ("noise", noiseFrame) })
        {
            if (frame is null)
            {
                Console.WriteLine($"{name,-22} not run (ffmpeg did not give a frame)");
                continue;
            }

            var detect = new Detect(1, frame, 0.5f);
            var serializer = (SerializerWithStringManifest)system.Serialization.FindSerializerFor(detect);
            var binaryBytes = serializer.ToBinary(detect).Length;
            var binaryMs = Time(() => serializer.ToBinary(detect));
            var jpeg = Encode(frame, model);
            var jpegMs = Time(() => Encode(frame, model));
            var decodeMs = Time(() => Decode(jpeg, model));
            Console.WriteLine($"{name,-22} {binaryBytes,13:N0} {jpeg.Length,11:N0} {binaryMs,14:0.000} {jpegMs,12:0.000} {jpegMs / binaryMs,6:0.0} {decodeMs,15:0.000}");
        }
    }

    private static double Time(Action action)
    {
        action();
        var times = new List<double>(Rounds);
        for (var i = 0; i < Rounds; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            action();
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[Rounds / 2];
    }

    private static byte[] Encode(byte[] rgb, DetectorModel model)
    {
        var rgba = new byte[model.InputWidth * model.InputHeight * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }

        var info = new SKImageInfo(model.InputWidth, model.InputHeight, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var image = SKImage.FromPixelCopy(info, rgba);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, Quality);
        return data.ToArray();
    }

    private static byte[] Decode(byte[] jpeg, DetectorModel model)
    {
        using var bitmap = SKBitmap.Decode(jpeg, new SKImageInfo(model.InputWidth, model.InputHeight, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = bitmap.GetPixelSpan();
        var rgb = new byte[model.FrameLength];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = rgba[j];
            rgb[i + 1] = rgba[j + 1];
            rgb[i + 2] = rgba[j + 2];
        }

        return rgb;
    }

    /// <summary>A 16:9 test pattern letterboxed into the model input the way the filter does (grey 114 bars).</summary>
    private static async Task<byte[]?> TestPatternFrameAsync(DetectorModel model)
    {
        var rows = model.InputWidth * 9 / 16;
        var startInfo = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-v", "error", "-f", "lavfi", "-i", $"testsrc2=s={model.InputWidth}x{rows}", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            using var ffmpeg = Process.Start(startInfo)!;
            using var picture = new MemoryStream();
            var errors = ffmpeg.StandardError.ReadToEndAsync();
            await ffmpeg.StandardOutput.BaseStream.CopyToAsync(picture);
            await ffmpeg.WaitForExitAsync();
            await errors;
            var pixels = picture.ToArray();
            if (ffmpeg.ExitCode != 0 || pixels.Length != rows * model.InputWidth * 3)
            {
                return null;
            }

            var frame = new byte[model.FrameLength];
            Array.Fill(frame, (byte)114);
            pixels.CopyTo(frame.AsSpan((model.InputHeight - rows) / 2 * model.InputWidth * 3));
            return frame;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no ffmpeg on this machine
        }
    }
}
