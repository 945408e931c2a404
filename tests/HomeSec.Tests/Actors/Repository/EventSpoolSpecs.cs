using HomeSec.Actors.Repository;
using HomeSec.Core.Clips;
using Xunit;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Tests.Actors.Repository;

public sealed class EventSpoolSpecs : IDisposable
{
    private static readonly ClipId Clip = ClipId.Parse("garage-20261124T100000Z");
    private readonly TempDirectory _folder = new();

    [Fact]
    public void Should_give_back_the_waiting_events_in_order_when_the_spool_is_opened_again_after_a_crash()
    {
        // Given
        using (var spool = new EventSpool(_folder.Path, maxEvents: 100))
        {
            spool.TryAppend(Recorded());
            spool.TryAppend(new UploadStarted(Clip, DateTimeOffset.UnixEpoch, "local", 1));
            spool.TryAppend(new ClipCompleted(Clip, DateTimeOffset.UnixEpoch, HadErrors: false));
        }

        // When
        using var reopened = new EventSpool(_folder.Path, maxEvents: 100);

        // Then
        var waiting = reopened.Take(10, afterSequence: 0);
        Assert.Equal([typeof(ClipRecorded), typeof(UploadStarted), typeof(ClipCompleted)], waiting.Select(w => w.Event.GetType()));
        Assert.Equal([1L, 2L, 3L], waiting.Select(w => w.Sequence));
        Assert.Equal(Recorded(), waiting[0].Event);
    }

    [Fact]
    public void Should_not_give_back_acknowledged_events_when_the_spool_is_opened_again()
    {
        // Given
        using (var spool = new EventSpool(_folder.Path, maxEvents: 100))
        {
            spool.TryAppend(Recorded());
            spool.TryAppend(new UploadStarted(Clip, DateTimeOffset.UnixEpoch, "local", 1));
            spool.TryAppend(new UploadStarted(Clip, DateTimeOffset.UnixEpoch, "local", 2));

            // When
            spool.AcknowledgeThrough(2);
        }

        using var reopened = new EventSpool(_folder.Path, maxEvents: 100);

        // Then
        var left = Assert.Single(reopened.Take(10, afterSequence: 0));
        Assert.Equal(3, left.Sequence);
        Assert.Equal(2, ((UploadStarted)left.Event).Attempt);
    }

    [Fact]
    public void Should_refuse_and_count_events_when_the_spool_is_full()
    {
        // Given
        using var spool = new EventSpool(_folder.Path, maxEvents: 2);

        // When
        var accepted = Enumerable.Range(1, 5).Select(i => spool.TryAppend(new UploadStarted(Clip, DateTimeOffset.UnixEpoch, "local", i))).ToList();

        // Then
        Assert.Equal([true, true, false, false, false], accepted);
        Assert.Equal(2, spool.Count);
        Assert.Equal(3, spool.Dropped);
        Assert.Equal([1, 2], spool.Take(10, 0).Select(w => ((UploadStarted)w.Event).Attempt));
    }

    [Fact]
    public void Should_ignore_a_line_cut_short_by_a_crash_when_the_spool_is_opened()
    {
        // Given
        using (var spool = new EventSpool(_folder.Path, maxEvents: 100))
        {
            spool.TryAppend(Recorded());
        }

        File.AppendAllText(Path.Combine(_folder.Path, "events.jsonl"), "{\"sequence\":2,\"manifest\":\"upload_sta");

        // When
        using (var reopened = new EventSpool(_folder.Path, maxEvents: 100))
        {
            reopened.TryAppend(new ClipCompleted(Clip, DateTimeOffset.UnixEpoch, HadErrors: false));
        }

        using var again = new EventSpool(_folder.Path, maxEvents: 100);

        // Then
        Assert.Equal([typeof(ClipRecorded), typeof(ClipCompleted)], again.Take(10, 0).Select(w => w.Event.GetType()));
    }

    [Fact]
    public void Should_hand_out_only_events_after_the_given_sequence_when_draining_in_steps()
    {
        // Given
        using var spool = new EventSpool(_folder.Path, maxEvents: 100);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            spool.TryAppend(new UploadStarted(Clip, DateTimeOffset.UnixEpoch, "local", attempt));
        }

        // When
        var first = spool.Take(2, afterSequence: 0);
        var second = spool.Take(2, afterSequence: first[^1].Sequence);
        spool.AcknowledgeThrough(5);

        // Then
        Assert.Equal([1L, 2L], first.Select(w => w.Sequence));
        Assert.Equal([3L, 4L], second.Select(w => w.Sequence));
        Assert.True(spool.IsEmpty);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "acknowledged")));
    }

    public void Dispose() => _folder.Dispose();

    private static ClipRecorded Recorded() => new(Clip, DateTimeOffset.UnixEpoch, "garage", "/clips/g.mp4", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 7);
}
