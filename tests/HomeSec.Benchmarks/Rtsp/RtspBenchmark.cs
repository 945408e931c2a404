using System.Diagnostics;
using System.Globalization;
using HomeSec.Core.Plugins.Sources.Rtsp;
using Microsoft.Extensions.Logging.Abstractions;

namespace HomeSec.Benchmarks.Rtsp;

/// <summary>
/// The rtsp source's figures: motion detector time per frame beside the seed's OpenCV algorithm on the
/// same frames, and the source's CPU per camera in steady state (its ffmpeg processes included).
/// </summary>
public static class RtspBenchmark
{
    private const int PixelThreshold = 45;
    private const int BlurKernel = 5;

    public static async Task RunAsync(double measureSeconds)
    {
        Console.WriteLine($"HomeSec rtsp benchmark, {Environment.ProcessorCount} cores, SIMD {System.Numerics.Vector.IsHardwareAccelerated} ({System.Numerics.Vector<byte>.Count * 8} bit)");
        Console.WriteLine($"{"motion detector",-18}{"ours µs/frame",16}{"OpenCV µs/frame",18}{"ours/OpenCV",14}");
        foreach (var (width, height) in new[] { (320, 180), (640, 360) })
        {
            var frames = SyntheticFrames(width, height, 300);
            var ours = MeasureOurs(frames, width, height);
            var opencv = await MeasureOpenCvAsync(frames, width, height);
            Console.WriteLine($"{$"{width}x{height}",-18}{ours,16:0.0}{opencv,18:0.0}{ours / opencv,14:0.00}  target ours <= OpenCV -> {(ours <= opencv ? "met" : "NOT met")}");
        }

        await MeasureSourceCpuAsync(measureSeconds);
    }

    private static double MeasureOurs(byte[][] frames, int width, int height)
    {
        var detector = new MotionDetector(width, height, PixelThreshold, BlurKernel);
        for (var i = 0; i < frames.Length; i++)
        {
            detector.Measure(frames[i]); // warm-up (JIT tiers)
        }

        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var stopwatch = Stopwatch.StartNew();
            foreach (var frame in frames)
            {
                detector.Measure(frame);
            }

            best = Math.Min(best, stopwatch.Elapsed.TotalMicroseconds / frames.Length);
        }

        return best;
    }

    private static async Task<double> MeasureOpenCvAsync(byte[][] frames, int width, int height)
    {
        var file = Path.Combine(Path.GetTempPath(), $"homesec-bench-frames-{Guid.NewGuid():N}.raw");
        try
        {
            await using (var stream = File.Create(file))
            {
                foreach (var frame in frames)
                {
                    await stream.WriteAsync(frame);
                }
            }

            var output = await RunAsync("/usr/bin/python3", Path.Combine(RepoPaths.Root, "tests", "HomeSec.Benchmarks", "Rtsp", "opencv_motion.py"), file,
                width.ToString(CultureInfo.InvariantCulture), height.ToString(CultureInfo.InvariantCulture),
                BlurKernel.ToString(CultureInfo.InvariantCulture), PixelThreshold.ToString(CultureInfo.InvariantCulture));
            return double.Parse(output.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task MeasureSourceCpuAsync(double measureSeconds)
    {
        var port = LoopbackPort.Free();
        var dir = Path.Combine(Path.GetTempPath(), $"homesec-bench-rtsp-{Guid.NewGuid():N}");
        using var server = Process.Start(new ProcessStartInfo("/usr/bin/python3",
            [Path.Combine(RepoPaths.Root, "tests", "rtsp", "rtsp_server.py"), "--port", port.ToString(CultureInfo.InvariantCulture), "--mount", "cam=still:0"])
        { RedirectStandardOutput = true, UseShellExecute = false })!;
        try
        {
            await server.StandardOutput.ReadLineAsync(); // READY
            var options = new RtspSourceOptions
            {
                MainUrl = $"rtsp://user:secret@127.0.0.1:{port}/cam",
                OutputDir = dir,
                ManifestPath = Path.Combine(dir, ".homesec", "manifest.jsonl"),
                DetectWidth = 640,
                DetectHeight = 360,
                DetectFps = 5,
            };
            var source = new RtspSource(options, "bench", TimeProvider.System, NullLogger<RtspSource>.Instance);
            using var stop = new CancellationTokenSource();
            var watching = Task.Run(async () =>
            {
                await foreach (var _ in source.WatchAsync(stop.Token))
                {
                }
            });

            var warmUp = Stopwatch.StartNew();
            while (!source.Health.Healthy || warmUp.Elapsed < TimeSpan.FromSeconds(4))
            {
                await Task.Delay(100);
            }

            var ffmpegPids = FfmpegPidsFor($":{port}/");
            var self = Process.GetCurrentProcess();
            var selfBefore = self.TotalProcessorTime;
            var childrenBefore = ffmpegPids.Sum(CpuSeconds);
            var wall = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(measureSeconds));
            self.Refresh();
            var selfCpu = (self.TotalProcessorTime - selfBefore).TotalSeconds;
            var childrenCpu = ffmpegPids.Sum(CpuSeconds) - childrenBefore;
            var seconds = wall.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            try
            {
                await watching;
            }
            catch (OperationCanceledException)
            {
            }

            var perCamera = (selfCpu + childrenCpu) / seconds;
            var cameras = (int)Math.Floor(0.5 * Environment.ProcessorCount / perCamera);
            var nodeCameras = (int)Math.Floor(0.5 * 2 / perCamera);
            Console.WriteLine();
            Console.WriteLine($"rtsp source, steady state, main stream 640x360 10 fps H.264 (copied), detect 640x360 at 5 fps, {seconds:0.0} s measured, {ffmpegPids.Count} ffmpeg processes");
            Console.WriteLine($"  C# (detector, TS ring buffer, state machine): {selfCpu / seconds * 100,6:0.00}% of one core");
            Console.WriteLine($"  ffmpeg (decode + scale, TS copy):             {childrenCpu / seconds * 100,6:0.00}% of one core");
            Console.WriteLine($"  per camera:                                   {perCamera * 100,6:0.00}% of one core");
            Console.WriteLine($"  cameras under 50% CPU of a 2-core node: {nodeCameras} (target >= 16 -> {(nodeCameras >= 16 ? "met" : "NOT met")}); of this {Environment.ProcessorCount}-core machine: {cameras}");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>Gray noise with a box that moves, like a camera picture with a passer-by.</summary>
    private static byte[][] SyntheticFrames(int width, int height, int count)
    {
        var random = new Random(42);
        var background = new byte[width * height];
        random.NextBytes(background);
        var frames = new byte[count][];
        var box = height / 3;
        for (var f = 0; f < count; f++)
        {
            var frame = (byte[])background.Clone();
            for (var i = 0; i < frame.Length; i += 7)
            {
                frame[i] = (byte)Math.Clamp(frame[i] + random.Next(-8, 9), 0, 255);
            }

            var x = (f * 4) % (width - box);
            for (var y = height / 3; y < (height / 3) + box; y++)
            {
                Array.Fill(frame, (byte)230, (y * width) + x, box);
            }

            frames[f] = frame;
        }

        return frames;
    }

    private static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of stat; 12 and 13 after the command name.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static List<int> FfmpegPidsFor(string argumentPart) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : -1)
            .Where(pid => pid > 0)
            .Where(pid =>
            {
                try
                {
                    var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                    return Path.GetFileName(arguments[0]) == "ffmpeg" && arguments.Any(a => a.Contains(argumentPart, StringComparison.Ordinal));
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .ToList();

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"{file} failed: {errors}");
    }
}
