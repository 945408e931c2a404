using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;

namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>A test's own MQTT client (MQTTnet) that records every message it receives on a topic filter.</summary>
public sealed class MqttSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentQueue<MqttApplicationMessage> _received = new();

    public IReadOnlyList<MqttApplicationMessage> Received => _received.ToList();

    public static async Task<MqttSubscriber> ConnectAsync(int port, string topicFilter, (string User, string Password)? credentials = null)
    {
        var subscriber = new MqttSubscriber();
        subscriber._client.ApplicationMessageReceivedAsync += args =>
        {
            subscriber._received.Enqueue(args.ApplicationMessage);
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId($"test-{Guid.NewGuid():N}")
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500);
        if (credentials is { } c)
        {
            options.WithCredentials(c.User, c.Password);
        }

        await subscriber._client.ConnectAsync(options.Build());
        // QoS 2 on the subscription, so a message arrives with the QoS it was published with.
        await subscriber._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(topicFilter, MqttQualityOfServiceLevel.ExactlyOnce)
            .Build());
        return subscriber;
    }

    public async Task<IReadOnlyList<MqttApplicationMessage>> WaitForAsync(Func<MqttApplicationMessage, bool> match, int count, TimeSpan within)
    {
        await Eventually.WaitForAsync(() => _received.Count(match) >= count, within, $"{count} matching MQTT message(s)",
            () => "received: " + string.Join(", ", _received.Select(m => $"{m.Topic}={m.ConvertPayloadToString()}")));
        return _received.Where(match).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
