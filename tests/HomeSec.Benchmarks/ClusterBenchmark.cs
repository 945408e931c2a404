using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Akka.Routing;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Inference;
using HomeSec.Actors.Serialization;
using HomeSec.Core.Config;
using HomeSec.Core.Inference;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Benchmarks;

/// <summary>
/// Remote against local inference on the same model and frames. The NVR is an actor system in this process (the
/// daemon's HOCON, the binary serializer, the router); the inference node is a real <c>homesec run</c> process with the
/// inference role, so the two share neither a heap nor a GC. Frames go through the node's frame port, and once over remoting (as the first cluster release sent them) on loopback for comparison. Three networks: plain TCP on loopback, mutual TLS with a
/// household certificate on loopback, and plain TCP across a veth pair into a network namespace (where one can be made).
/// Per batch size (1, 4, 8 frames sent at once, as filter workers would): batch latency p50/p99 and frames/s through the
/// router to the remote node, beside the same through a pool in this process; the difference is the cluster's overhead.
/// No assertions on time.
/// </summary>
public static class ClusterBenchmark
{
    private static readonly Queue<string> NodeLog = new();

    /// <summary>Batch 1 taken apart per network, printed after the table.</summary>
    private static readonly List<string> BatchOne = [];

    private static readonly InferenceOptions Options = new(ExecutionProviderChoice.Cpu, Workers: 1, Threads: 2, MaxBatch: 8);

    public static async Task RunAsync(string modelPath, int batchesPerSize)
    {
        var model = DetectorModel.Load(modelPath);
        var root = Directory.CreateTempSubdirectory("homesec-bench-cluster-").FullName;
        try
        {
            var frame = LetterboxedFrame(model);
            Console.WriteLine($"model {model.Name} {model.InputWidth}x{model.InputHeight}; {Environment.ProcessorCount} cores (both nodes on this machine); " +
                $"{batchesPerSize} batches per size after a warm-up; inference node: a homesec process (workers {Options.Workers}, threads {Options.Threads}); " +
                $"bytes per frame on the wire: {InferenceSerializer.WireBytes(frame):N0} for a letterboxed 16:9 picture ({frame.Length:N0} RGB24 with the bars; " +
                $"float32 would be {frame.Length * 4:N0}); GC LOH threshold {AppContext.GetData("System.GC.LOHThreshold") ?? "default (85,000)"}");
            await JpegAlternative.RunAsync(model, frame);
            Console.WriteLine();
            Console.WriteLine($"{"network",-22} {"batch",5} {"local p50",10} {"local p99",10} {"remote p50",11} {"remote p99",11} {"overhead p50",13} {"local f/s",10} {"remote f/s",11}");
            await MeasureNetworkAsync(root, "loopback, remoting", model, frame, batchesPerSize, "127.0.0.1", "127.0.0.1", null, tls: false, framePorts: false);
            await MeasureNetworkAsync(root, "loopback", model, frame, batchesPerSize, "127.0.0.1", "127.0.0.1", null, tls: false);
            await MeasureNetworkAsync(root, "loopback, TLS", model, frame, batchesPerSize, "127.0.0.1", "127.0.0.1", null, tls: true);
            var (pair, whyNot) = NetworkNamespacePair.TryCreateToHost();
            if (pair is null)
            {
                Console.WriteLine($"veth pair into a network namespace: not run ({whyNot})");
                return;
            }

            using (pair)
            {
                await MeasureNetworkAsync(root, "veth (netns)", model, frame, batchesPerSize, pair.FirstAddress, pair.SecondAddress, pair.Second, tls: false);
            }
        }
        finally
        {
            Console.WriteLine("batch 1 taken apart:");
            foreach (var line in BatchOne)
            {
                Console.WriteLine("  " + line);
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task MeasureNetworkAsync(
        string root, string network, DetectorModel model, byte[] frame, int batchesPerSize, string nvrHost, string gpuHost, string? gpuNamespace, bool tls, bool framePorts = true)
    {
        var folder = Path.Combine(root, network.Replace(' ', '-').Replace(',', '-').Replace('(', '-').Replace(')', '-'));
        Directory.CreateDirectory(folder);
        var (nvrPort, gpuPort, gpuHealth) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        string? certificatePath = null;
        X509Certificate2? certificate = null;
        if (tls)
        {
            certificatePath = Path.Combine(folder, "household.pfx");
            await File.WriteAllBytesAsync(certificatePath, ClusterTls.CreateHouseholdCertificate(null, DateTimeOffset.UtcNow));
            certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, null, X509KeyStorageFlags.Exportable);
        }

        var nvr = ActorSystem.Create(ClusterConfig.SystemName, NvrSetup(nvrHost, nvrPort, certificate));
        using var gpu = StartInferenceNode(folder, model, nvrHost, nvrPort, gpuHost, gpuPort, gpuHealth, gpuNamespace, certificatePath);
        try
        {
            Cluster.Get(nvr).Join(Cluster.Get(nvr).SelfAddress);
            var local = new InferenceClient(model);
            var localPool = nvr.ActorOf(InferenceActor.Props(model, Options).WithRouter(new RoundRobinPool(Options.Workers)), "inference");
            local.Bind(localPool, nvr.ActorOf(InferenceReplies.Props(local)));
            var remote = new InferenceClient(model);
            var routing = new ClusterRoutingSettings(TimeSpan.FromSeconds(30), LocalFallback: false)
            {
                FramePorts = framePorts,
                Tls = certificatePath is null ? null : new ClusterTls(certificatePath, null),
            };
            var router = nvr.ActorOf(InferenceRouter.Props(null, routing), "inference-router");
            remote.Bind(router, nvr.ActorOf(InferenceReplies.Props(remote)));
            await WaitForReadyNodeAsync(router, gpu, framePorts);

            foreach (var size in new[] { 1, 4, 8 })
            {
                await MeasureAsync(local, frame, size, Math.Max(5, batchesPerSize / 10));
                await MeasureAsync(remote, frame, size, Math.Max(5, batchesPerSize / 10));
                var l = await MeasureAsync(local, frame, size, batchesPerSize);
                var r = await MeasureAsync(remote, frame, size, batchesPerSize);
                Console.WriteLine($"{network,-22} {size,5} {l.P50,8:0.00}ms {l.P99,8:0.00}ms {r.P50,9:0.00}ms {r.P99,9:0.00}ms {r.P50 - l.P50,11:0.00}ms {l.FramesPerSecond,10:0} {r.FramesPerSecond,11:0}");
                if (size == 1)
                {
                    // Only batches of one have run so far: each node's own run times say how much of the overhead is the model
                    // running slower over there (two processes on the same cores), and how much is the way there and back.
                    var localRuns = (await localPool.Ask<InferenceStatus>(GetInferenceStatus.Instance, TimeSpan.FromSeconds(5))).Recent.P50Ms;
                    var remoteRuns = (await PoolStatusAsync(gpuHost, gpuHealth, gpuNamespace)).GetProperty("p50_ms").GetDouble();
                    BatchOne.Add($"{network}: model runs p50 {localRuns:0.00} ms here, {remoteRuns:0.00} ms on the inference node; " +
                        $"so of the {r.P50 - l.P50:0.00} ms overhead, {remoteRuns - localRuns:0.00} ms is the model running slower there and {r.P50 - l.P50 - (remoteRuns - localRuns):0.00} ms the wire, serialization and actors");
                }
            }

            var frames = (await PoolStatusAsync(gpuHost, gpuHealth, gpuNamespace)).GetProperty("frames").GetInt64();
            Console.WriteLine($"{network,-22} the inference node's /health counted {frames} frames");
        }
        finally
        {
            await nvr.Terminate();
            if (!gpu.HasExited)
            {
                gpu.Kill(entireProcessTree: true);
                await gpu.WaitForExitAsync();
            }

            certificate?.Dispose();
        }
    }

    /// <summary>What the filter sends for a 16:9 camera: the picture (noise: it does not compress) between grey letterbox bars.</summary>
    private static byte[] LetterboxedFrame(DetectorModel model)
    {
        var frame = new byte[model.FrameLength];
        Array.Fill(frame, (byte)114);
        var pictureRows = model.InputWidth * 9 / 16;
        var rowBytes = model.InputWidth * 3;
        new Random(1).NextBytes(frame.AsSpan((model.InputHeight - pictureRows) / 2 * rowBytes, pictureRows * rowBytes));
        return frame;
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

    private static async Task WaitForReadyNodeAsync(IActorRef router, Process gpu, bool framePort)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !gpu.HasExited)
        {
            var routing = await router.Ask<InferenceRouting>(GetInferenceRouting.Instance, TimeSpan.FromSeconds(5));
            if (routing.Nodes.Any(n => n.Ready && (!framePort || n.Transport.StartsWith("frame port", StringComparison.Ordinal))))
            {
                return;
            }

            await Task.Delay(100);
        }

        string log;
        lock (NodeLog)
        {
            log = string.Join(Environment.NewLine, NodeLog);
        }

        throw new TimeoutException((gpu.HasExited ? $"the inference node exited with code {gpu.ExitCode}" : "the inference node did not become ready within 60 s") +
            $"; its last lines:{Environment.NewLine}{log}");
    }

    /// <summary>The inference node's pool as its <c>/health</c> shows it.</summary>
    private static async Task<JsonElement> PoolStatusAsync(string host, int port, string? networkNamespace)
    {
        var url = $"http://{host}:{port}/health";
        JsonElement health;
        if (networkNamespace is null)
        {
            using var http = new HttpClient();
            health = await http.GetFromJsonAsync<JsonElement>(url);
        }
        else
        {
            var (_, output) = await NetworkNamespacePair.RunInAsync(networkNamespace, "curl", "-s", "--max-time", "5", url);
            health = JsonSerializer.Deserialize<JsonElement>(output);
        }

        return health.GetProperty("inference");
    }

    /// <summary>The daemon's own settings (homesec.conf, cluster.conf, the household TLS) for the NVR side in this process.</summary>
    private static ActorSystemSetup NvrSetup(string host, int port, X509Certificate2? certificate)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "{{host}}", port = {{port}}, enable-ssl = {{(certificate is null ? "off" : "on")}} }
            akka.cluster.roles = [nvr]
            akka.loglevel = WARNING
            """)
            .WithFallback(HomeSecClusterExtensions.ClusterHocon())
            .WithFallback(HomeSecAkkaExtensions.HomeSecConfig());
        var setup = BootstrapSetup.Create().WithConfig(config);
        return certificate is null
            ? ActorSystemSetup.Create(setup)
            : setup.And(new DotNettySslSetup(certificate, false, true, false, HomeSecClusterExtensions.HouseholdValidator(ClusterTls.Fingerprint(certificate))));
    }

    private static Process StartInferenceNode(
        string folder, DetectorModel model, string nvrHost, int nvrPort, string host, int port, int healthPort, string? networkNamespace, string? certificate)
    {
        var config = Path.Combine(folder, "inference.yaml");
        File.WriteAllText(config, $"""
            storage:
              backend: local
              config:
                root: {Path.Combine(folder, "storage")}
            state_store:
              backend: sqlite
              path: {Path.Combine(folder, "homesec.db")}
              local_state_dir: {Path.Combine(folder, "state")}
            filter:
              backend: yolo
              config:
                model_path: {Path.GetFullPath(model.Path)}
                execution_provider: cpu
                inference_workers: {Options.Workers}
                threads: {Options.Threads}
                max_batch: {Options.MaxBatch}
            health:
              host: {host}
              port: {healthPort}
            cluster:
              enabled: true
              roles: [inference]
              hostname: {host}
              port: {port}
              seed_nodes: ['{nvrHost}:{nvrPort}']
              allow_plaintext: true
            {(certificate is null ? "" : $"  tls: {{certificate_path: '{certificate}'}}")}
            """);
        var homesec = Path.Combine(AppContext.BaseDirectory, "homesec.dll");
        var startInfo = new ProcessStartInfo(networkNamespace is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in (networkNamespace is null ? [] : new[] { "netns", "exec", networkNamespace, "dotnet" }).Concat([homesec, "run", "--config", config]))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start homesec");
        // Kept (the last lines), not shown: the node's log would interleave with the table; a failure prints it.
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (NodeLog)
            {
                NodeLog.Enqueue(line);
                while (NodeLog.Count > 40)
                {
                    NodeLog.Dequeue();
                }
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
