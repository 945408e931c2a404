using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Routing;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Inference;
using HomeSec.Core.Clips;
using HomeSec.Core.Inference;
using HomeSec.Core.Plugins.Filters.Yolo;

namespace HomeSec.Benchmarks;

/// <summary>
/// The yolo filter on a 1080p H.264 clip at sample_fps 2, beside its two parts measured alone in the
/// same run: (a) ffmpeg decoding and letterboxing the same frames into a pipe that is drained, and
/// (b) session.Run on the same tensors, one after the other. Then the pool's frames/s at batch sizes 1, 4, 8.
/// </summary>
public static class YoloBenchmark
{
    private const double SampleFps = 2;
    private const int Repeats = 3;

    public static async Task RunAsync(string modelPath, double seconds, int threads)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"homesec-yolo-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var clipPath = Path.Combine(folder, "clip-1080p.mp4");
            await MakeClipAsync(clipPath, seconds);
            var model = DetectorModel.Load(modelPath);
            var options = new InferenceOptions(ExecutionProviderChoice.Auto, 1, threads, 8);
            Console.WriteLine($"HomeSec yolo benchmark: model {model.Name} ({model.InputWidth}x{model.InputHeight}, {model.ClassNames.Count} classes, " +
                              $"{(model.FixedBatchOfOne ? "batch fixed at 1" : "dynamic batch")}), clip {seconds:0} s 1920x1080 H.264, sample_fps {SampleFps}, " +
                              $"{threads} intra-op threads, {Environment.ProcessorCount} cores");

            using var system = ActorSystem.Create("bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(HomeSecAkkaExtensions.HomeSecConfig()));
            var client = StartPool(system, model, options, "inference");
            var filter = new YoloFilter(new YoloFilterOptions(model, SampleFps, 0.5f, 0.45f, 0, [], EarlyExit: false, options), client, ["person"]);
            var clip = new RecordedClip(ClipId.For("bench", DateTimeOffset.UnixEpoch), "bench", clipPath, DateTimeOffset.UnixEpoch,
                DateTimeOffset.UnixEpoch.AddSeconds(seconds), new FileInfo(clipPath).Length);

            // Warm-up (JIT, session allocations), then the same tensors for the session-only baseline.
            var warm = await filter.DetectAsync(clip, CancellationToken.None);
            var tensors = await ReadTensorsAsync(clipPath, model);
            using var session = OnnxDetectorSession.Open(model, options);
            session.RunOnly(tensors[0]);

            var filterMs = new List<double>();
            var ffmpegMs = new List<double>();
            var runMs = new List<double>();
            for (var i = 0; i < Repeats; i++)
            {
                filterMs.Add(await TimeAsync(() => filter.DetectAsync(clip, CancellationToken.None)));
                ffmpegMs.Add(await TimeAsync(() => FfmpegAloneAsync(clipPath, model)));
                runMs.Add(await TimeAsync(() =>
                {
                    foreach (var tensor in tensors)
                    {
                        session.RunOnly(tensor);
                    }

                    return Task.CompletedTask;
                }));
            }

            var (f, a, b) = (Median(filterMs), Median(ffmpegMs), Median(runMs));
            Console.WriteLine($"frames sampled: {warm.SampledFrames} (filter) / {tensors.Count} (ffmpeg); provider {session.Provider}; median of {Repeats} runs");
            Console.WriteLine($"{"measure",-44}{"ms",10}{"ms/frame",10}");
            Print("filter (ffmpeg → pool → ONNX → decode/NMS)", f, tensors.Count);
            Print("(a) ffmpeg alone, decode + letterbox", a, tensors.Count);
            Print("(b) session.Run alone, same tensors", b, tensors.Count);
            Print("(a) + (b)", a + b, tensors.Count);
            var ratio = f / (a + b);
            Console.WriteLine($"ratio filter / (a + b): {ratio:0.00} (target <= 1.15 -> {(ratio <= 1.15 ? "met" : "NOT met")})");

            Console.WriteLine();
            Console.WriteLine($"{"pool batch size",-22}{"frames",8}{"frames/s",10}{"ms/frame",10}");
            foreach (var batch in new[] { 1, 4, 8 })
            {
                var poolClient = StartPool(system, model, options with { MaxBatch = batch }, $"inference-batch-{batch}");
                await PoolThroughputAsync(poolClient, tensors, 8); // warm-up
                var frames = Math.Max(48, tensors.Count * 2);
                var ms = await PoolThroughputAsync(poolClient, tensors, frames);
                Console.WriteLine($"{batch,-22}{frames,8}{frames / (ms / 1000),10:0.0}{ms / frames,10:0.0}");
            }

            await system.Terminate();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Print(string name, double ms, int frames) =>
        Console.WriteLine($"{name,-44}{ms,10:0}{ms / frames,10:0.0}");

    private static InferenceClient StartPool(ActorSystem system, DetectorModel model, InferenceOptions options, string name)
    {
        var client = new InferenceClient(model);
        var pool = system.ActorOf(InferenceActor.Props(model, options).WithRouter(new RoundRobinPool(options.Workers)), name);
        client.Bind(pool, system.ActorOf(InferenceReplies.Props(client), name + "-replies"));
        return client;
    }

    /// <summary>Sends <paramref name="frames"/> frames at once (as several filter workers would) and waits for all replies.</summary>
    private static async Task<double> PoolThroughputAsync(IDetector detector, IReadOnlyList<byte[]> tensors, int frames)
    {
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, frames).Select(i => detector.DetectAsync(tensors[i % tensors.Count], 0.5f, CancellationToken.None)));
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static async Task<List<byte[]>> ReadTensorsAsync(string clipPath, DetectorModel model)
    {
        var tensors = new List<byte[]>();
        await using var sampler = await FrameSampler.StartAsync(clipPath, SampleFps, model.InputWidth, model.InputHeight, CancellationToken.None);
        while (true)
        {
            var tensor = new byte[model.FrameLength];
            if (!await sampler.ReadFrameAsync(tensor, CancellationToken.None))
            {
                break;
            }

            tensors.Add(tensor);
        }

        await sampler.CompleteAsync(CancellationToken.None);
        return tensors;
    }

    /// <summary>The filter's own ffmpeg command, its output drained and thrown away.</summary>
    private static async Task FfmpegAloneAsync(string clipPath, DetectorModel model)
    {
        using var process = StartProcess("ffmpeg", FrameSampler.FfmpegArguments(clipPath, SampleFps, model.InputWidth, model.InputHeight));
        var drain = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var errors = process.StandardError.ReadToEndAsync();
        await Task.WhenAll(drain, errors);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(await errors);
        }
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var stopwatch = Stopwatch.StartNew();
        await action();
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task MakeClipAsync(string path, double seconds)
    {
        using var process = StartProcess("ffmpeg",
        [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", $"testsrc2=size=1920x1080:rate=25:duration={seconds.ToString(CultureInfo.InvariantCulture)}",
            "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", path,
        ]);
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {await errors}");
        }
    }

    private static Process StartProcess(string executable, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {executable}");
    }
}
