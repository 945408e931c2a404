using HomeSec.Core.Inference;
using Xunit;

namespace HomeSec.Tests.Inference;

/// <summary>The last minute of an inference actor's runs: what <c>inspect inference</c> shows as frames/s, p50 and p99.</summary>
public sealed class BatchLatencyWindowSpecs
{
    [Fact]
    public void Should_give_the_nearest_rank_p50_and_p99_and_frames_per_second_when_runs_are_recorded()
    {
        // Given
        var window = new BatchLatencyWindow();
        for (var i = 1; i <= 100; i++)
        {
            window.Record(i, frames: 3, nowMs: 1_000 + i);
        }

        // When
        var recent = window.Snapshot(nowMs: 2_000);

        // Then
        Assert.Equal(50, recent.P50Ms);
        Assert.Equal(99, recent.P99Ms);
        Assert.Equal(300, recent.Frames);
        Assert.Equal(5, recent.FramesPerSecond);
    }

    [Fact]
    public void Should_forget_runs_older_than_the_window_and_beyond_its_size_when_time_passes()
    {
        // Given
        var window = new BatchLatencyWindow();
        window.Record(500, 1, nowMs: 0);
        for (var i = 0; i < BatchLatencyWindow.MaxBatches + 10; i++)
        {
            window.Record(2, 1, nowMs: 30_000);
        }

        // When
        var full = window.Snapshot(nowMs: 30_000);
        var later = window.Snapshot(nowMs: 30_000 + (long)BatchLatencyWindow.Window.TotalMilliseconds + 1);

        // Then
        Assert.Equal(BatchLatencyWindow.MaxBatches, full.BatchMs.Count);
        Assert.Equal(2, full.P99Ms); // the 500 ms run fell out first
        Assert.Empty(later.BatchMs);
        Assert.Equal(0, later.P50Ms);
        Assert.Equal(0, later.FramesPerSecond);
    }

    [Fact]
    public void Should_count_every_actors_runs_once_when_the_windows_of_a_pool_are_merged()
    {
        // Given
        var fast = new BatchLatency([1, 1, 1], 12, 60);
        var slow = new BatchLatency([10], 4, 60);

        // When
        var pool = BatchLatency.Merge([fast, slow]);
        var none = BatchLatency.Merge([]);

        // Then
        Assert.Equal(4, pool.BatchMs.Count);
        Assert.Equal(1, pool.P50Ms);
        Assert.Equal(10, pool.P99Ms);
        Assert.Equal(16 / 60.0, pool.FramesPerSecond, 6);
        Assert.Same(BatchLatency.None, none);
    }
}
