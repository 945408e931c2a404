using HomeSec.Core.Clips;
using Xunit;

namespace HomeSec.Tests.Clips;

public sealed class ClipManifestSpecs : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2024, 5, 1, 12, 0, 0, 123, TimeSpan.Zero);

    private readonly TempDirectory _temp = new();

    private string ManifestPath => _temp.Combine("state", "manifest.jsonl");

    public void Dispose() => _temp.Dispose();

    private ClipManifest.Entry EntryFor(string fileName, int second)
    {
        var path = _temp.Combine(fileName);
        File.WriteAllText(path, fileName);
        return new ClipManifest.Entry(ClipId.For("front_door", Noon.AddSeconds(second)), path, fileName.Length, Noon.AddSeconds(second), Done: false);
    }

    [Fact]
    public async Task Should_remember_handed_over_and_done_clips_when_it_is_reopened()
    {
        // Given
        var done = EntryFor("a.mp4", 0);
        var pending = EntryFor("b.mp4", 1);
        await using (var manifest = await ClipManifest.OpenAsync(ManifestPath, CancellationToken.None))
        {
            await manifest.AddAsync(done, CancellationToken.None);
            await manifest.AddAsync(pending, CancellationToken.None);
            await manifest.MarkDoneAsync(done.ClipId, CancellationToken.None);
        }

        // When
        await using var reopened = await ClipManifest.OpenAsync(ManifestPath, CancellationToken.None);

        // Then
        var stillPending = Assert.Single(reopened.Pending);
        Assert.Equal(pending, stillPending);
        Assert.True(reopened.HasClip(done.ClipId));
        Assert.True(reopened.Knows(done.FilePath, done.Size, done.ModifiedAt));
        Assert.True(reopened.Knows(pending.FilePath, pending.Size, pending.ModifiedAt));
        Assert.False(reopened.Knows(pending.FilePath, pending.Size + 1, pending.ModifiedAt));
        Assert.False(reopened.Knows(pending.FilePath, pending.Size, pending.ModifiedAt.AddTicks(1)));
    }

    [Fact]
    public async Task Should_forget_a_done_clip_when_its_file_is_gone_at_reopen()
    {
        // Given
        var done = EntryFor("a.mp4", 0);
        var pending = EntryFor("b.mp4", 1);
        await using (var manifest = await ClipManifest.OpenAsync(ManifestPath, CancellationToken.None))
        {
            await manifest.AddAsync(done, CancellationToken.None);
            await manifest.AddAsync(pending, CancellationToken.None);
            await manifest.MarkDoneAsync(done.ClipId, CancellationToken.None);
        }

        File.Delete(done.FilePath);
        File.Delete(pending.FilePath);

        // When
        await using var reopened = await ClipManifest.OpenAsync(ManifestPath, CancellationToken.None);

        // Then
        Assert.False(reopened.HasClip(done.ClipId));
        Assert.Equal([pending.ClipId], reopened.Pending.Select(e => e.ClipId));
        Assert.Single(await File.ReadAllLinesAsync(ManifestPath));
    }

    [Fact]
    public async Task Should_ignore_a_line_cut_short_when_the_manifest_is_read()
    {
        // Given
        var pending = EntryFor("a.mp4", 0);
        await using (var manifest = await ClipManifest.OpenAsync(ManifestPath, CancellationToken.None))
        {
            await manifest.AddAsync(pending, CancellationToken.None);
        }

        await File.AppendAllTextAsync(ManifestPath, "{\"op\":\"handed_over\",\"clip_id\":\"front_door-20240501T1200");

        // When
        await using var reopened = await ClipManifest.OpenAsync(ManifestPath, CancellationToken.None);

        // Then
        Assert.Equal([pending.ClipId], reopened.Pending.Select(e => e.ClipId));
        Assert.Single(await File.ReadAllLinesAsync(ManifestPath));
    }

    [Fact]
    public async Task Should_start_empty_when_no_manifest_exists()
    {
        // Given
        var path = ManifestPath;

        // When
        await using var manifest = await ClipManifest.OpenAsync(path, CancellationToken.None);

        // Then
        Assert.Empty(manifest.Pending);
        Assert.True(File.Exists(path));
        Assert.False(manifest.HasClip(ClipId.For("front_door", Noon)));
    }
}
