using System.Diagnostics;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Clips;
using HomeSec.Core.Config;
using HomeSec.Core.Retention;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Benchmarks;

/// <summary>
/// A retention pass over many finished clips on SQLite: reading clip_states, measuring every file, planning, and
/// deleting, beside the baseline of only stat-ing the same files (the I/O any retention must do).
/// </summary>
public static class RetentionBenchmark
{
    public static async Task RunAsync(string folder, int clips)
    {
        Directory.CreateDirectory(folder);
        var store = new ClipStore(StateStoreBackend.Sqlite, new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "retention.db") }.ToString());
        await store.EnsureSchemaAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var paths = new List<string>(clips);
        var events = new List<JournalEvent>(3 * clips);
        for (var i = 0; i < clips; i++)
        {
            var camera = $"cam{i % 4}";
            var recordedAt = now - TimeSpan.FromMinutes(clips - i);
            var clipId = ClipId.For(camera, recordedAt);
            var path = Path.Combine(folder, "clips", camera, $"{clipId}.mp4");
            paths.Add(path);
            events.Add(new JournalEvent(events.Count + 1, 1, new ClipRecorded(clipId, recordedAt, camera, path, recordedAt, recordedAt.AddSeconds(10), 4096)));
            events.Add(new JournalEvent(events.Count + 1, 2, new UploadCompleted(clipId, recordedAt, "local", $"local://{camera}/{clipId}.mp4", null)));
            events.Add(new JournalEvent(events.Count + 1, 3, new ClipCompleted(clipId, recordedAt, HadErrors: false)));
        }

        foreach (var batch in events.Chunk(3000))
        {
            await store.ApplyAsync(batch, CancellationToken.None);
        }

        var content = new byte[4096];
        foreach (var path in paths)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, content);
        }

        // Baseline: stat every file once.
        var baseline = Stopwatch.StartNew();
        long total = 0;
        foreach (var path in paths)
        {
            total += new FileInfo(path).Length;
        }

        baseline.Stop();

        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var pass = Stopwatch.StartNew();
        var states = await store.FinishedClipsAsync(null, CancellationToken.None);
        var survey = RetentionSurvey.Measure(states, null, Disks.Current());
        var config = RetentionConfig.Disabled with { TotalLocalMaxBytes = total / 2 };
        var plan = RetentionPlanner.Plan(survey.Clips, config, survey.Volumes, now);
        pass.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        var delete = Stopwatch.StartNew();
        var byId = survey.Clips.ToDictionary(c => c.ClipId, c => c.LocalPath);
        foreach (var deletion in plan.Deletions)
        {
            RetentionDeleter.DeleteLocal(byId[deletion.ClipId]);
        }

        delete.Stop();
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"retention pass over {clips} finished clips (SQLite clip_states, {survey.Clips.Count} measured, {plan.Deletions.Count} to delete by size):");
        Console.WriteLine($"  read + measure + plan: {pass.Elapsed.TotalMilliseconds,8:0.0} ms   allocated {allocated / 1048576.0:0.0} MiB   peak working set {process.PeakWorkingSet64 / 1048576.0:0} MiB");
        Console.WriteLine($"  stat of the same files (baseline): {baseline.Elapsed.TotalMilliseconds,8:0.0} ms   ratio pass / baseline {pass.Elapsed.TotalMilliseconds / baseline.Elapsed.TotalMilliseconds:0.0}");
        Console.WriteLine($"  deleting {plan.Deletions.Count} files: {delete.Elapsed.TotalMilliseconds,8:0.0} ms (the events of a real pass add one journal write per clip, batched by the repository)");
    }
}
