using System.Globalization;
using HomeSec.Benchmarks;
using Microsoft.Data.Sqlite;

// Usage: dotnet run -c Release --project tests/HomeSec.Benchmarks -- [clips=2000] [max_in_flight=64]
//        dotnet run -c Release --project tests/HomeSec.Benchmarks -- rtsp [measure_seconds=20]
if (args.Length > 0 && args[0] == "rtsp")
{
    await HomeSec.Benchmarks.Rtsp.RtspBenchmark.RunAsync(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 20);
    return;
}

var clips = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var maxInFlight = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
var folder = Path.Combine(Path.GetTempPath(), $"homesec-bench-{Guid.NewGuid():N}");
Directory.CreateDirectory(folder);

Console.WriteLine($"HomeSec pipeline benchmark: {clips} clips, max_clips_in_flight {maxInFlight}, instant plugins, {Environment.ProcessorCount} cores");
try
{
    await PipelineBenchmark.RunAsync(Math.Min(200, clips), maxInFlight, null, Path.Combine(folder, "spool-warmup")); // warm-up (JIT), not reported
    var baseline = await PipelineBenchmark.RunAsync(clips, maxInFlight, null, Path.Combine(folder, "spool-baseline"));
    var sqlite = await PipelineBenchmark.RunAsync(clips, maxInFlight, Path.Combine(folder, "journal.db"), Path.Combine(folder, "spool-sqlite"));

    Console.WriteLine($"{"journal",-22}{"clips/s",10}{"p50 ms",10}{"p99 ms",10}{"all events stored",20}");
    Print("in-memory (baseline)", baseline);
    Print("sqlite", sqlite);
    Console.WriteLine($"ratio sqlite / baseline (clips/s): {sqlite.ClipsPerSecond / baseline.ClipsPerSecond:0.00}");
    Console.WriteLine($"target: >= 200 clips/s through the pipeline on SQLite -> {(sqlite.ClipsPerSecond >= 200 ? "met" : "NOT met")}");
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static void Print(string name, PipelineBenchmark.Figures f) =>
    Console.WriteLine($"{name,-22}{f.ClipsPerSecond,10:0}{f.P50Ms,10:0.0}{f.P99Ms,10:0.0}{(f.PersistedClipsPerSecond is { } p ? $"{p:0} clips/s" : "-"),20}");
