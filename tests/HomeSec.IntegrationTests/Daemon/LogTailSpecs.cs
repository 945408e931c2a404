using HomeSec.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>The log lines <c>homesec logs -f</c> reads: the last ones kept, new ones fed, and logging never held up by a reader.</summary>
public sealed class LogTailSpecs
{
    [Fact]
    public void Should_keep_the_last_lines_at_the_asked_level_when_more_were_logged_than_it_keeps()
    {
        // Given
        using var tail = new LogTail();
        var log = tail.CreateLogger("HomeSec.Test");

        // When
        for (var i = 1; i <= LogTail.Capacity + 50; i++)
        {
            if (i % 10 == 0)
            {
                log.LogWarning("warning {Number}", i);
            }
            else
            {
                log.LogInformation("line {Number}", i);
            }
        }

        log.LogDebug("not kept");

        // Then
        var all = tail.Recent(LogTail.Capacity * 2, LogLevel.Information);
        Assert.Equal(LogTail.Capacity, all.Count);
        Assert.Equal("line 51", all[0].Message);
        Assert.Equal($"warning {LogTail.Capacity + 50}", all[^1].Message);
        var warnings = tail.Recent(3, LogLevel.Warning);
        Assert.Equal(["warning 2030", "warning 2040", "warning 2050"], warnings.Select(l => l.Message));
        Assert.All(warnings, l => Assert.Equal("warning", l.Level));
        Assert.DoesNotContain(all, l => l.Message == "not kept");
    }

    [Fact]
    public async Task Should_feed_new_lines_and_drop_a_slow_readers_oldest_instead_of_blocking_when_it_does_not_read()
    {
        // Given
        using var tail = new LogTail();
        using var reading = new CancellationTokenSource();
        var feed = tail.Subscribe(reading.Token);
        var log = tail.CreateLogger("HomeSec.Test");

        // When: far more lines than the feed holds, none read meanwhile
        for (var i = 1; i <= 5000; i++)
        {
            log.LogInformation("line {Number}", i);
        }

        log.LogError(new InvalidOperationException("disk full"), "upload failed");

        // Then
        var first = await feed.ReadAsync();
        Assert.True(first.Sequence > 1, "the oldest lines of the slow reader's feed were dropped");
        var lines = new List<LogLine> { first };
        while (feed.TryRead(out var line))
        {
            lines.Add(line);
        }

        Assert.Equal("upload failed (InvalidOperationException: disk full)", lines[^1].Message);
        Assert.Equal("error", lines[^1].Level);
        Assert.Equal(Enumerable.Range(0, lines.Count).Select(i => first.Sequence + i), lines.Select(l => l.Sequence));
        await reading.CancelAsync();
        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await feed.ReadAsync());
    }
}
