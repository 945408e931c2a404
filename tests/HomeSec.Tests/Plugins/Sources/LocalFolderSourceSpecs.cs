using System.Text.Json;
using HomeSec.Core.Clips;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins.Sources.LocalFolder;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources;

public sealed class LocalFolderSourceSpecs : IDisposable
{
    private static readonly DateTime Noon = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempDirectory _temp = new();

    public LocalFolderSourceSpecs() => Directory.CreateDirectory(WatchDir);

    private string WatchDir => _temp.Combine("incoming");

    private string ManifestPath => _temp.Combine("state", "manifest.jsonl");

    public void Dispose() => _temp.Dispose();

    private LocalFolderOptions Options(double stabilitySeconds = 0) => new(
        WatchDir, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(stabilitySeconds), VideoFiles.DefaultExtensions, ManifestPath);

    private string Drop(string name, string content, DateTime? modifiedUtc)
    {
        var path = Path.Combine(WatchDir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (modifiedUtc is { } time)
        {
            File.SetLastWriteTimeUtc(path, time);
        }

        return path;
    }

    [Fact]
    public async Task Should_hand_over_a_file_once_with_a_camera_and_time_id_when_it_has_held_still()
    {
        // Given
        var path = Drop("clip.mp4", "0123456789", Noon.AddSeconds(7));
        await using var run = new FolderSourceRun(Options(stabilitySeconds: 2));
        await run.StartAsync();
        await run.PollAsync();
        var earlyHandOver = run.HasHandedOver;

        // When
        var clip = await run.TakeAsync(maxPolls: 1);

        // Then
        Assert.False(earlyHandOver, "handed over before the stability threshold");
        Assert.Equal("front_door-20240501T120007Z", clip.ClipId.Value);
        Assert.Equal("front_door", clip.CameraName);
        Assert.Equal(path, clip.LocalPath);
        Assert.Equal(10, clip.SizeBytes);
        // The file's mtime is the end of the recording; it began the probed duration (1 s, EveryFileIsVideo) before.
        Assert.Equal(new DateTimeOffset(Noon.AddSeconds(7)), clip.EndedAt);
        Assert.Equal(new DateTimeOffset(Noon.AddSeconds(6)), clip.StartedAt);
        Assert.False(clip.Resumed);
        await run.AssertNothingHandedOverAsync();
    }

    [Fact]
    public async Task Should_not_hand_over_a_file_when_it_is_still_growing()
    {
        // Given
        var path = Drop("clip.mp4", "a", null);
        await using var run = new FolderSourceRun(Options(stabilitySeconds: 2));
        await run.StartAsync();

        // When
        var handedOverWhileGrowing = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            await File.AppendAllTextAsync(path, "more");
            await run.PollAsync();
            handedOverWhileGrowing.Add(run.HasHandedOver);
        }

        await run.PollAsync();
        var handedOverTooSoon = run.HasHandedOver;
        var clip = await run.TakeAsync(maxPolls: 1);

        // Then
        Assert.Equal([false, false, false, false], handedOverWhileGrowing);
        Assert.False(handedOverTooSoon, "handed over one poll after the last change, before the threshold");
        Assert.Equal(1 + (4 * 4), clip.SizeBytes);
        Assert.Equal(new FileInfo(path).Length, clip.SizeBytes);
    }

    [Fact]
    public async Task Should_hand_over_only_listed_extensions_when_the_folder_has_other_and_hidden_files()
    {
        // Given
        Drop("notes.txt", "x", Noon);
        Drop(".partial.mp4", "x", Noon.AddSeconds(1));
        Drop("upper.MP4", "x", Noon.AddSeconds(2));
        Drop("b.mkv", "x", Noon.AddSeconds(3));
        Drop("noext", "x", Noon.AddSeconds(4));
        Drop(Path.Combine("sub", "nested.mp4"), "x", Noon.AddSeconds(5));
        await using var run = new FolderSourceRun(Options());

        // When
        var first = await run.TakeAsync();
        var second = await run.TakeAsync();

        // Then
        Assert.Equal("upper.MP4", Path.GetFileName(first.LocalPath));
        Assert.Equal("b.mkv", Path.GetFileName(second.LocalPath));
        await run.AssertNothingHandedOverAsync();
    }

    [Fact]
    public async Task Should_hand_over_again_only_unprocessed_clips_when_the_source_restarts()
    {
        // Given
        Drop("a.mp4", "a", Noon);
        Drop("b.mp4", "b", Noon.AddSeconds(5));
        Drop("c.mp4", "c", Noon.AddSeconds(9));
        var handedOver = new List<RecordedClip>();
        await using (var before = new FolderSourceRun(Options()))
        {
            for (var i = 0; i < 3; i++)
            {
                handedOver.Add(await before.TakeAsync());
            }

            await before.Source.MarkProcessedAsync(handedOver[0].ClipId, CancellationToken.None);
            await before.Source.MarkProcessedAsync(handedOver[2].ClipId, CancellationToken.None);
        }

        // When
        await using var after = new FolderSourceRun(Options());
        var resumed = await after.TakeAsync();

        // Then
        Assert.Equal(["a.mp4", "b.mp4", "c.mp4"], handedOver.Select(c => Path.GetFileName(c.LocalPath)));
        Assert.Equal(handedOver[1].ClipId, resumed.ClipId);
        Assert.Equal("front_door-20240501T120005Z", resumed.ClipId.Value);
        Assert.True(resumed.Resumed);
        Assert.Equal(handedOver[1].LocalPath, resumed.LocalPath);
        Assert.Equal(handedOver[1].SizeBytes, resumed.SizeBytes);
        await after.AssertNothingHandedOverAsync();
    }

    [Fact]
    public async Task Should_skip_a_pending_clip_when_its_file_is_gone_after_a_restart()
    {
        // Given
        var gone = Drop("a.mp4", "a", Noon);
        Drop("b.mp4", "b", Noon.AddSeconds(5));
        await using (var before = new FolderSourceRun(Options()))
        {
            await before.TakeAsync();
            await before.TakeAsync();
        }

        File.Delete(gone);

        // When
        await using var after = new FolderSourceRun(Options());
        var resumed = await after.TakeAsync();

        // Then
        Assert.Equal("front_door-20240501T120005Z", resumed.ClipId.Value);
        Assert.True(resumed.Resumed);
        await after.AssertNothingHandedOverAsync();
    }

    [Fact]
    public async Task Should_give_distinct_ids_with_a_suffix_when_two_files_share_a_second()
    {
        // Given
        Drop("z-first.mp4", "1", Noon.AddMilliseconds(100));
        Drop("a-second.mp4", "2", Noon.AddMilliseconds(600));
        await using var run = new FolderSourceRun(Options());

        // When
        var first = await run.TakeAsync();
        var second = await run.TakeAsync();

        // Then
        Assert.Equal("z-first.mp4", Path.GetFileName(first.LocalPath));
        Assert.Equal("front_door-20240501T120000Z", first.ClipId.Value);
        Assert.Equal("a-second.mp4", Path.GetFileName(second.LocalPath));
        Assert.Equal("front_door-20240501T120000Z-2", second.ClipId.Value);
    }

    [Fact]
    public async Task Should_keep_ids_distinct_when_a_file_of_the_same_second_arrives_after_a_restart()
    {
        // Given
        Drop("first.mp4", "1", Noon);
        await using (var before = new FolderSourceRun(Options()))
        {
            await before.Source.MarkProcessedAsync((await before.TakeAsync()).ClipId, CancellationToken.None);
        }

        Drop("late.mp4", "2", Noon.AddMilliseconds(500));

        // When
        await using var after = new FolderSourceRun(Options());
        var late = await after.TakeAsync();

        // Then
        Assert.Equal("front_door-20240501T120000Z-2", late.ClipId.Value);
        Assert.False(late.Resumed);
    }

    [Fact]
    public async Task Should_ignore_a_truncated_last_manifest_line_when_the_source_restarts_after_a_crash()
    {
        // Given
        Drop("a.mp4", "a", Noon);
        await using (var before = new FolderSourceRun(Options()))
        {
            await before.TakeAsync();
        }

        var b = Drop("b.mp4", "b", Noon.AddSeconds(5));
        var halfLine = JsonSerializer.Serialize(new { op = "handed_over", clip_id = "front_door-20240501T120005Z", file_path = b, size = 1 });
        await File.AppendAllTextAsync(ManifestPath, halfLine[..(halfLine.Length / 2)]);

        // When
        await using var after = new FolderSourceRun(Options());
        var resumed = await after.TakeAsync();
        var fresh = await after.TakeAsync();

        // Then
        Assert.Equal("front_door-20240501T120000Z", resumed.ClipId.Value);
        Assert.True(resumed.Resumed);
        Assert.Equal("front_door-20240501T120005Z", fresh.ClipId.Value);
        Assert.False(fresh.Resumed);
        Assert.All(await File.ReadAllLinesAsync(ManifestPath), line => JsonDocument.Parse(line).Dispose());
        await after.AssertNothingHandedOverAsync();
    }

    [Fact]
    public async Task Should_report_healthy_with_the_poll_time_when_the_folder_was_polled()
    {
        // Given
        await using var run = new FolderSourceRun(Options());
        var beforeStart = run.Source.Health;

        // When
        await run.StartAsync();
        await run.PollAsync();

        // Then
        Assert.False(beforeStart.Healthy);
        Assert.Null(beforeStart.LastHeartbeat);
        var health = run.Source.Health;
        Assert.True(health.Healthy);
        Assert.Equal(run.Clock.GetUtcNow(), health.LastHeartbeat);
        Assert.Contains(WatchDir, health.Detail, StringComparison.Ordinal);
    }
}
