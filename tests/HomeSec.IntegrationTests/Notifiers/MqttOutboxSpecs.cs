using Akka.Actor;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Workers;
using HomeSec.Actors.Workers.Outbox;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins.Notifiers.Mqtt;
using HomeSec.IntegrationTests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.IntegrationTests.Notifiers;

/// <summary>The mqtt notifier's outbox actor against a real mosquitto that is killed and started again.</summary>
public sealed class MqttOutboxSpecs() : Akka.TestKit.Xunit2.TestKit(HomeSecAkkaExtensions.HomeSecConfig())
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"homesec-mqtt-outbox-{Guid.NewGuid():N}");

    [Fact]
    public async Task Should_deliver_the_alert_queued_while_the_broker_was_down_exactly_once_when_the_broker_comes_back()
    {
        // Given
        using var broker = Mosquitto.StartAnonymous();
        var options = MqttNotifierSpecs.Options(broker.Port) with
        {
            MinReconnectBackoff = TimeSpan.FromMilliseconds(700),
            MaxReconnectBackoff = TimeSpan.FromMilliseconds(700),
        };
        await using var notifier = await MqttNotifierSpecs.ConnectedNotifierAsync(options, "front_door");
        var repository = CreateTestProbe();
        var outbox = Sys.ActorOf(NotifierOutbox.Props(new NamedNotifier("mqtt", notifier, TimeSpan.FromSeconds(5)),
            new OutboxConfig(_dir, 100, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)), repository.Ref, TimeProvider.System));
        var alert = MqttNotifierSpecs.SampleAlert();

        // When the broker dies, the send fails fast and the pipeline hands the alert to the outbox
        broker.Kill();
        await Eventually.WaitForAsync(() => !notifier.IsConnected, Patience, "the notifier to notice the broker is gone");
        await Assert.ThrowsAsync<MqttNotConnectedException>(() => notifier.SendAsync(alert, CancellationToken.None));
        outbox.Tell(new OutboxProtocol.QueueAlert(alert));
        repository.ExpectNoMsg(TimeSpan.FromMilliseconds(600));
        broker.Start();
        await using var subscriber = await MqttSubscriber.ConnectAsync(broker.Port, "homecam/alerts/#");

        // Then
        var sent = repository.ExpectMsg<NotificationSent>(Patience);
        Assert.Equal(alert.ClipId, sent.ClipId);
        var received = await subscriber.WaitForAsync(_ => true, 1, Patience);
        repository.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        Assert.Single(subscriber.Received);
        Assert.Equal("homecam/alerts/front_door", received[0].Topic);
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
}
