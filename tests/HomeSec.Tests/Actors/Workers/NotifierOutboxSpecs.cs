using Akka.Actor;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Workers;
using HomeSec.Actors.Workers.Outbox;
using HomeSec.Core.Alerts;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Tests.Alerts;
using Xunit;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Tests.Actors.Workers;

public sealed class NotifierOutboxSpecs() : Akka.TestKit.Xunit2.TestKit(HomeSecAkkaExtensions.HomeSecConfig()), IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"homesec-outbox-actor-{Guid.NewGuid():N}");

    private OutboxConfig Settings(int maxItems = 100) => new(_dir, maxItems, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100));

    [Fact]
    public void Should_deliver_the_waiting_alerts_oldest_first_and_once_when_the_notifier_comes_back()
    {
        // Given
        var notifier = new SwitchableNotifier();
        var repository = CreateTestProbe();
        var outbox = Sys.ActorOf(NotifierOutbox.Props(new NamedNotifier("mqtt", notifier, TimeSpan.FromSeconds(5)), Settings(), repository.Ref, TimeProvider.System));

        // When
        outbox.Tell(new OutboxProtocol.QueueAlert(AlertOutboxSpecs.AlertFor(2)));
        outbox.Tell(new OutboxProtocol.QueueAlert(AlertOutboxSpecs.AlertFor(1)));
        outbox.Tell(new OutboxProtocol.QueueAlert(AlertOutboxSpecs.AlertFor(2)));
        AwaitCondition(() => notifier.Attempts >= 2, TimeSpan.FromSeconds(5));
        repository.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        notifier.Working = true;

        // Then
        var sent = repository.ExpectMsg<NotificationSent>(TimeSpan.FromSeconds(5));
        var second = repository.ExpectMsg<NotificationSent>(TimeSpan.FromSeconds(5));
        Assert.Equal([AlertOutboxSpecs.AlertFor(2).ClipId, AlertOutboxSpecs.AlertFor(1).ClipId], new[] { sent.ClipId, second.ClipId });
        Assert.Equal("mqtt", sent.Notifier);
        Assert.Equal([AlertOutboxSpecs.AlertFor(2), AlertOutboxSpecs.AlertFor(1)], notifier.Delivered);
        repository.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        outbox.Tell(OutboxProtocol.GetOutboxStatus.Instance);
        Assert.Equal(0, ExpectMsg<OutboxProtocol.OutboxStatus>().Waiting);
    }

    [Fact]
    public void Should_deliver_alerts_left_from_before_when_the_outbox_starts_after_a_restart()
    {
        // Given
        var before = new AlertOutbox(Path.Combine(_dir, "email"), 100);
        before.Add(AlertOutboxSpecs.AlertFor(7));
        var notifier = new SwitchableNotifier { Working = true };
        var repository = CreateTestProbe();

        // When
        Sys.ActorOf(NotifierOutbox.Props(new NamedNotifier("email", notifier, TimeSpan.FromSeconds(5)), Settings(), repository.Ref, TimeProvider.System));

        // Then
        var sent = repository.ExpectMsg<NotificationSent>(TimeSpan.FromSeconds(5));
        Assert.Equal(AlertOutboxSpecs.AlertFor(7).ClipId, sent.ClipId);
        Assert.Empty(new AlertOutbox(Path.Combine(_dir, "email"), 100).Alerts);
    }

    [Fact]
    public void Should_drop_the_alert_and_record_the_failure_when_the_notifier_rejects_it()
    {
        // Given
        var notifier = new SwitchableNotifier { Rejecting = true };
        var repository = CreateTestProbe();
        var outbox = Sys.ActorOf(NotifierOutbox.Props(new NamedNotifier("email", notifier, TimeSpan.FromSeconds(5)), Settings(), repository.Ref, TimeProvider.System));

        // When
        outbox.Tell(new OutboxProtocol.QueueAlert(AlertOutboxSpecs.AlertFor(3)));

        // Then
        var failed = repository.ExpectMsg<NotificationFailed>(TimeSpan.FromSeconds(5));
        Assert.False(failed.WillRetry);
        Assert.Equal("email", failed.Notifier);
        Assert.Equal(1, notifier.Attempts);
        outbox.Tell(OutboxProtocol.GetOutboxStatus.Instance);
        Assert.Equal(0, ExpectMsg<OutboxProtocol.OutboxStatus>().Waiting);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private sealed class SwitchableNotifier : INotifier
    {
        private readonly List<Alert> _delivered = [];
        private int _attempts;

        public volatile bool Working;
        public volatile bool Rejecting;

        public int Attempts => Volatile.Read(ref _attempts);

        public IReadOnlyList<Alert> Delivered
        {
            get
            {
                lock (_delivered)
                {
                    return _delivered.ToList();
                }
            }
        }

        public Task SendAsync(Alert alert, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            if (Rejecting)
            {
                throw new DeliveryRejectedException("401 unauthorized");
            }

            if (!Working)
            {
                throw new IOException("down");
            }

            lock (_delivered)
            {
                _delivered.Add(alert);
            }

            return Task.CompletedTask;
        }
    }
}
