using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using Xunit;

namespace HomeSec.Tests.Alerts;

public sealed class AlertOutboxSpecs : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"homesec-outbox-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    internal static Alert AlertFor(int second, string camera = "front_door")
    {
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, second, TimeSpan.Zero);
        return new Alert(ClipId.For(camera, at), camera, null, null, RiskLevel.Medium, "visitor", "risk medium", $"summary {second}", at, UploadFailed: true);
    }

    [Fact]
    public void Should_give_alerts_oldest_first_when_several_wait()
    {
        // Given
        var outbox = new AlertOutbox(_dir, 10);

        // When
        outbox.Add(AlertFor(3));
        outbox.Add(AlertFor(1));
        outbox.Add(AlertFor(2));

        // Then
        Assert.Equal([AlertFor(3), AlertFor(1), AlertFor(2)], outbox.Alerts);
        Assert.Equal(AlertFor(3), outbox.Oldest);
    }

    [Fact]
    public void Should_drop_and_count_the_oldest_when_the_bound_is_passed()
    {
        // Given
        var outbox = new AlertOutbox(_dir, 2);
        outbox.Add(AlertFor(1));
        outbox.Add(AlertFor(2));

        // When
        var result = outbox.Add(AlertFor(3));

        // Then
        Assert.Equal(AlertOutbox.AddOutcome.Added, result.Outcome);
        Assert.Equal([AlertFor(1)], result.Dropped);
        Assert.Equal(1, outbox.DroppedTotal);
        Assert.Equal([AlertFor(2), AlertFor(3)], outbox.Alerts);
        Assert.Equal(2, Directory.GetFiles(_dir, "*.json").Length);
    }

    [Fact]
    public void Should_keep_alerts_and_their_order_when_the_outbox_is_opened_again_after_a_restart()
    {
        // Given
        var before = new AlertOutbox(_dir, 10);
        before.Add(AlertFor(5));
        before.Add(AlertFor(4));
        before.MarkDelivered(AlertFor(5).ClipId);
        before.Add(AlertFor(6));

        // When
        var after = new AlertOutbox(_dir, 10);
        after.Add(AlertFor(7));

        // Then
        Assert.Equal([AlertFor(4), AlertFor(6), AlertFor(7)], after.Alerts);
        Assert.Equal(AlertOutbox.AddOutcome.AlreadyDelivered, after.Add(AlertFor(5)).Outcome);
    }

    [Fact]
    public void Should_not_queue_an_alert_twice_when_it_is_queued_or_delivered_already()
    {
        // Given
        var outbox = new AlertOutbox(_dir, 10);
        outbox.Add(AlertFor(1));
        outbox.Add(AlertFor(2));
        outbox.MarkDelivered(AlertFor(2).ClipId);

        // When
        var queuedAgain = outbox.Add(AlertFor(1));
        var deliveredAgain = outbox.Add(AlertFor(2));

        // Then
        Assert.Equal(AlertOutbox.AddOutcome.AlreadyQueued, queuedAgain.Outcome);
        Assert.Equal(AlertOutbox.AddOutcome.AlreadyDelivered, deliveredAgain.Outcome);
        Assert.Equal([AlertFor(1)], outbox.Alerts);
    }

    [Fact]
    public void Should_set_aside_an_unreadable_file_when_the_outbox_is_opened()
    {
        // Given
        var outbox = new AlertOutbox(_dir, 10);
        outbox.Add(AlertFor(1));
        File.WriteAllText(Path.Combine(_dir, "0000000000000000005.json"), "{ not json");

        // When
        var reopened = new AlertOutbox(_dir, 10);

        // Then
        Assert.Equal(1, reopened.Unreadable);
        Assert.Equal([AlertFor(1)], reopened.Alerts);
        Assert.True(File.Exists(Path.Combine(_dir, "0000000000000000005.json.bad")));
    }
}
