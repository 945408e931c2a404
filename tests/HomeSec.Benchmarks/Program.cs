using System.Globalization;
using HomeSec.Benchmarks;
using HomeSec.Core.Config;
using Microsoft.Data.Sqlite;

// Usage:
//   dotnet run -c Release --project tests/HomeSec.Benchmarks -- [clips=2000] [max_in_flight=64]
//       the whole pipeline on the in-memory journal (baseline) and on SQLite
//   HOMESEC_BENCH_DSN="Host=...;Database=..." dotnet run -c Release --project tests/HomeSec.Benchmarks -- postgres [clips=2000] [max_in_flight=64]
//       the repository on PostgreSQL beside plain Npgsql batches, and the whole pipeline on PostgreSQL
//   dotnet run -c Release --project tests/HomeSec.Benchmarks -- yolo [model.onnx] [seconds=10] [threads=2]
//       the yolo filter beside ffmpeg alone and session.Run alone, and the inference pool's frames/s
//   dotnet run -c Release --project tests/HomeSec.Benchmarks -- rtsp [measure_seconds=20]
//       the motion detector beside OpenCV on the same frames, and the rtsp source's CPU per camera
//   dotnet run -c Release --project tests/HomeSec.Benchmarks -- live [appearances=20]
//       object appears on the synthetic RTSP camera -> fast alert (live detection) beside the final alert of the same clips
//   dotnet run -c Release --project tests/HomeSec.Benchmarks -- cluster [model.onnx] [batches=200]
//       remote (a homesec inference node process: loopback, loopback over TLS, a veth pair into a network namespace)
//       against local inference: batch p50/p99, frames/s, overhead, bytes per frame
//   dotnet run -c Release --project tests/HomeSec.Benchmarks -- retention [clips=10000]
//       one retention pass over that many finished clips (time, memory) beside stat-ing the same files
if (args.Length > 0 && args[0] == "live")
{
    await LiveAlertBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20);
    return;
}

if (args.Length > 0 && args[0] == "retention")
{
    var retentionFolder = Path.Combine(Path.GetTempPath(), $"homesec-bench-retention-{Guid.NewGuid():N}");
    try
    {
        await RetentionBenchmark.RunAsync(retentionFolder, args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000);
    }
    finally
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(retentionFolder, recursive: true);
    }

    return;
}

if (args.Length > 0 && args[0] == "cluster")
{
    await ClusterBenchmark.RunAsync(args.Length > 1 ? args[1] : RepoPaths.Model("red_patch_detector.onnx"),
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200);
    return;
}

if (args.Length > 0 && args[0] == "rtsp")
{
    await HomeSec.Benchmarks.Rtsp.RtspBenchmark.RunAsync(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 20);
    return;
}

if (args.Length > 0 && args[0] == "yolo")
{
    var model = args.Length > 1 ? args[1] : RepoPaths.Model("bench_detector.onnx");
    var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10;
    var threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2;
    await YoloBenchmark.RunAsync(model, seconds, threads);
    return;
}

var postgresMode = args.Length > 0 && args[0] == "postgres";
var numbers = postgresMode ? args.Skip(1).ToArray() : args;
var clips = numbers.Length > 0 ? int.Parse(numbers[0], CultureInfo.InvariantCulture) : 2000;
var maxInFlight = numbers.Length > 1 ? int.Parse(numbers[1], CultureInfo.InvariantCulture) : 64;
var folder = Path.Combine(Path.GetTempPath(), $"homesec-bench-{Guid.NewGuid():N}");
Directory.CreateDirectory(folder);

try
{
    Console.WriteLine($"HomeSec benchmark: {clips} clips, max_clips_in_flight {maxInFlight}, instant plugins, {Environment.ProcessorCount} cores; a clip counts once its source marked it done, which the durability contract allows only after every event of it is durable");
    await PipelineBenchmark.RunAsync(Math.Min(200, clips), maxInFlight, null, Path.Combine(folder, "spool-warmup")); // warm-up (JIT), not reported
    var baseline = await PipelineBenchmark.RunAsync(clips, maxInFlight, null, Path.Combine(folder, "spool-baseline"));
    if (postgresMode)
    {
        var dsn = Environment.GetEnvironmentVariable("HOMESEC_BENCH_DSN")
            ?? throw new InvalidOperationException("set HOMESEC_BENCH_DSN to a PostgreSQL connection string (a scratch database)");
        var store = new StateStoreConfig(StateStoreBackend.Postgres, "", dsn, Path.Combine(folder, "state-pg"), 1_000_000);
        var (repository, writesAlone, raw) = await PostgresBenchmark.RunAsync(store, clips);
        Console.WriteLine($"repository on PostgreSQL, projection running: {repository,8:0} events/s  ratio {repository / raw:0.00} (target >= 0.50 -> {(repository / raw >= 0.5 ? "met" : "NOT met")})");
        Console.WriteLine($"repository write path alone (no projection):  {writesAlone,8:0} events/s  ratio {writesAlone / raw:0.00} (target >= 0.50 -> {(writesAlone / raw >= 0.5 ? "met" : "NOT met")})");
        Console.WriteLine($"plain Npgsql batches (the baseline):          {raw,8:0} events/s");
        var postgres = await PipelineBenchmark.RunAsync(clips, maxInFlight, store, Path.Combine(folder, "spool-pg"));
        PrintTable(("in-memory (baseline)", baseline), ("postgres", postgres));
        Console.WriteLine($"ratio postgres / baseline (clips/s): {postgres.ClipsPerSecond / baseline.ClipsPerSecond:0.00} (target >= 0.50 -> {(postgres.ClipsPerSecond / baseline.ClipsPerSecond >= 0.5 ? "met" : "NOT met")})");
        Console.WriteLine($"target: >= 200 clips/s through the pipeline on PostgreSQL -> {(postgres.ClipsPerSecond >= 200 ? "met" : "NOT met")}");
    }
    else
    {
        var sqlite = await PipelineBenchmark.RunAsync(clips, maxInFlight,
            new StateStoreConfig(StateStoreBackend.Sqlite, Path.Combine(folder, "journal.db"), null, Path.Combine(folder, "state-sqlite"), 1_000_000),
            Path.Combine(folder, "spool-sqlite"));
        PrintTable(("in-memory (baseline)", baseline), ("sqlite", sqlite));
        Console.WriteLine($"ratio sqlite / baseline (clips/s): {sqlite.ClipsPerSecond / baseline.ClipsPerSecond:0.00} (target >= 0.50 -> {(sqlite.ClipsPerSecond / baseline.ClipsPerSecond >= 0.5 ? "met" : "NOT met")})");
        Console.WriteLine($"target: >= 200 clips/s through the pipeline on SQLite -> {(sqlite.ClipsPerSecond >= 200 ? "met" : "NOT met")}");
    }
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static void PrintTable(params (string Name, PipelineBenchmark.Figures Figures)[] rows)
{
    Console.WriteLine($"{"journal",-22}{"clips/s",10}{"p50 ms",10}{"p99 ms",10}{"all events stored",20}");
    foreach (var (name, f) in rows)
    {
        Console.WriteLine($"{name,-22}{f.ClipsPerSecond,10:0}{f.P50Ms,10:0.0}{f.P99Ms,10:0.0}{(f.PersistedClipsPerSecond is { } p ? $"{p:0} clips/s" : "-"),20}");
    }
}
