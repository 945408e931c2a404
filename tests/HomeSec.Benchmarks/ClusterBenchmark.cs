using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Routing;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Inference;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Benchmarks;

/// <summary>
/// Remote against local inference on the same model and frames: an NVR and an inference node as two actor systems in this
/// process, joined over loopback remoting (the binary serializer, the daemon's frame limits). Per batch size (1, 4, 8
/// frames sent at once, as filter workers would), the batch latency p50/p99 and frames/s through the NVR's router to the
/// remote pool, beside the same through a local pool; the difference is the cluster's overhead. No assertions on time.
/// </summary>
public static class ClusterBenchmark
{
    public static async Task RunAsync(string modelPath, int batchesPerSize)
    {
        var model = DetectorModel.Load(modelPath);
        var options = new InferenceOptions(ExecutionProviderChoice.Cpu, 1, 2, 8);
        var nvr = ActorSystem.Create("homesec", NodeConfig("nvr"));
        var gpu = ActorSystem.Create("homesec", NodeConfig("inference"));
        try
        {
            Cluster.Get(nvr).Join(Cluster.Get(nvr).SelfAddress);
            gpu.ActorOf(InferenceActor.Props(model, options).WithRouter(new RoundRobinPool(1)), "inference");
            Cluster.Get(gpu).Join(Cluster.Get(nvr).SelfAddress);

            var local = new InferenceClient(model);
            local.Bind(nvr.ActorOf(InferenceActor.Props(model, options).WithRouter(new RoundRobinPool(1)), "inference"), nvr.ActorOf(InferenceReplies.Props(local)));
            var remote = new InferenceClient(model);
            var router = nvr.ActorOf(InferenceRouter.Props(null, new ClusterRoutingSettings(TimeSpan.FromSeconds(30), LocalFallback: false)), "inference-router");
            remote.Bind(router, nvr.ActorOf(InferenceReplies.Props(remote)));
            await WaitForReadyNodeAsync(router);

            // What the filter sends for a 16:9 camera: the picture (noise: it does not compress) between grey letterbox bars.
            var frame = new byte[model.FrameLength];
            Array.Fill(frame, (byte)114);
            var pictureRows = model.InputWidth * 9 / 16;
            var rowBytes = model.InputWidth * 3;
            new Random(1).NextBytes(frame.AsSpan((model.InputHeight - pictureRows) / 2 * rowBytes, pictureRows * rowBytes));
            Console.WriteLine($"model {model.Name} {model.InputWidth}x{model.InputHeight}; {Environment.ProcessorCount} cores; {batchesPerSize} batches per size after a warm-up; " +
                $"bytes per frame on the wire: {InferenceSerializer.WireBytes(frame):N0} for a letterboxed 16:9 picture ({frame.Length:N0} RGB24 with the bars; float32 would be {frame.Length * 4:N0}); " +
                $"GC LOH threshold {AppContext.GetData("System.GC.LOHThreshold") ?? "default (85,000)"}");
            Console.WriteLine($"{"batch",5} {"local p50",10} {"local p99",10} {"remote p50",11} {"remote p99",11} {"overhead p50",13} {"local f/s",10} {"remote f/s",11}");
            foreach (var size in new[] { 1, 4, 8 })
            {
                await MeasureAsync(local, frame, size, Math.Max(5, batchesPerSize / 10));
                await MeasureAsync(remote, frame, size, Math.Max(5, batchesPerSize / 10));
                var l = await MeasureAsync(local, frame, size, batchesPerSize);
                var r = await MeasureAsync(remote, frame, size, batchesPerSize);
                Console.WriteLine($"{size,5} {l.P50,8:0.00}ms {l.P99,8:0.00}ms {r.P50,9:0.00}ms {r.P99,9:0.00}ms {r.P50 - l.P50,11:0.00}ms {l.FramesPerSecond,10:0} {r.FramesPerSecond,11:0}");
            }
        }
        finally
        {
            await Task.WhenAll(gpu.Terminate(), nvr.Terminate());
        }
    }

    private static async Task<(double P50, double P99, double FramesPerSecond)> MeasureAsync(InferenceClient client, byte[] frame, int size, int batches)
    {
        var latencies = new List<double>(batches);
        var total = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, size).Select(_ => client.DetectAsync(frame, 0.5f, CancellationToken.None)));
            latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.99), batches * size / total.Elapsed.TotalSeconds);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task WaitForReadyNodeAsync(IActorRef router)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var routing = await router.Ask<InferenceRouting>(GetInferenceRouting.Instance, TimeSpan.FromSeconds(5));
            if (routing.Nodes.Any(n => n.Ready))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the inference node did not become ready within 30 s");
    }

    /// <summary>The daemon's own settings (homesec.conf, cluster.conf) on an ephemeral loopback port.</summary>
    private static Config NodeConfig(string role) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.cluster.roles = [{{role}}]
        akka.loglevel = WARNING
        """)
        .WithFallback(HomeSecClusterExtensions.ClusterHocon())
        .WithFallback(HomeSecAkkaExtensions.HomeSecConfig());
}
