using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Notifiers.Ledger;
using Xunit;

namespace HomeSec.Tests.Plugins.Notifiers;

public sealed class DeliveryLedgerSpecs : IDisposable
{
    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task Should_not_deliver_an_alert_again_when_the_notifier_is_rebuilt_after_a_restart()
    {
        // Given
        var path = Path.Combine(_folder.Path, "notified", "mqtt.log");
        var delivered = new CountingNotifier();
        var alert = AlertFor("front_door-20261124T120000Z");
        await using (var first = new DeduplicatingNotifier(delivered, new DeliveryLedger(path)))
        {
            await first.SendAsync(alert, CancellationToken.None);
        }

        // When
        await using var afterRestart = new DeduplicatingNotifier(delivered, new DeliveryLedger(path));
        await afterRestart.SendAsync(alert, CancellationToken.None);
        await afterRestart.SendAsync(AlertFor("front_door-20261124T120001Z"), CancellationToken.None);

        // Then
        Assert.Equal(["front_door-20261124T120000Z", "front_door-20261124T120001Z"], delivered.ClipIds);
    }

    [Fact]
    public async Task Should_not_record_the_alert_when_the_delivery_fails_so_a_retry_delivers_it()
    {
        // Given
        var path = Path.Combine(_folder.Path, "email.log");
        var notifier = new CountingNotifier { FailNext = true };
        await using var deduplicating = new DeduplicatingNotifier(notifier, new DeliveryLedger(path));
        var alert = AlertFor("porch-20261124T120000Z");

        // When
        await Assert.ThrowsAsync<IOException>(() => deduplicating.SendAsync(alert, CancellationToken.None));
        await deduplicating.SendAsync(alert, CancellationToken.None);

        // Then
        Assert.Equal(["porch-20261124T120000Z"], notifier.ClipIds);
    }

    [Fact]
    public async Task Should_forget_the_oldest_clips_when_more_than_the_capacity_were_delivered()
    {
        // Given
        var path = Path.Combine(_folder.Path, "log.log");
        using (var ledger = new DeliveryLedger(path, capacity: 2))
        {
            foreach (var id in new[] { "a-1", "a-2", "a-3" })
            {
                await ledger.RecordAsync(ClipId.Parse(id), CancellationToken.None);
            }
        }

        // When
        using var reopened = new DeliveryLedger(path, capacity: 2);

        // Then
        Assert.False(await reopened.WasDeliveredAsync(ClipId.Parse("a-1"), CancellationToken.None));
        Assert.True(await reopened.WasDeliveredAsync(ClipId.Parse("a-2"), CancellationToken.None));
        Assert.True(await reopened.WasDeliveredAsync(ClipId.Parse("a-3"), CancellationToken.None));
        Assert.Equal(["a-2", "a-3"], await File.ReadAllLinesAsync(path));
    }

    public void Dispose() => _folder.Dispose();

    private static Alert AlertFor(string clipId) =>
        new(ClipId.Parse(clipId), "front_door", null, null, null, null, "motion", null, DateTimeOffset.UnixEpoch, UploadFailed: false);

    private sealed class CountingNotifier : INotifier
    {
        public List<string> ClipIds { get; } = [];

        public bool FailNext { get; set; }

        public Task SendAsync(Alert alert, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("smtp down");
            }

            ClipIds.Add(alert.ClipId.Value);
            return Task.CompletedTask;
        }
    }
}
