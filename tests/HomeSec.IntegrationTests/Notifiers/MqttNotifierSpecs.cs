using System.Text.Json;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Plugins.Notifiers.Mqtt;
using HomeSec.IntegrationTests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit;

namespace HomeSec.IntegrationTests.Notifiers;

/// <summary>The mqtt notifier against a real mosquitto broker started by each test.</summary>
public sealed class MqttNotifierSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    internal static Alert SampleAlert(string camera = "front_door", int second = 0)
    {
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, second, TimeSpan.Zero);
        return new Alert(ClipId.For(camera, at), camera, $"local://{camera}/x.mp4", "http://nvr.local/clips/x.mp4?a=1&b=<2>", RiskLevel.High,
            "loitering", "risk high >= medium", "A person waits at the door \"for\" a while", at, UploadFailed: false);
    }

    internal static MqttNotifierOptions Options(int port, MqttAuth? auth = null, bool discovery = false, string clientId = "homesec-test") => new(
        "127.0.0.1", port, clientId, auth, new MqttTlsOptions(false, null, false), "homecam/alerts/{camera_name}", 1, false, "homecam/status",
        TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), new HomeAssistantOptions(discovery, "homeassistant", "homesec", 30));

    internal static async Task<MqttNotifier> ConnectedNotifierAsync(MqttNotifierOptions options, params string[] cameras)
    {
        var notifier = new MqttNotifier(options, cameras, NullLogger<MqttNotifier>.Instance);
        await Eventually.WaitForAsync(() => notifier.IsConnected, Patience, "the notifier to connect", () => notifier.LastError ?? "");
        return notifier;
    }

    [Fact]
    public async Task Should_publish_the_exact_alert_contract_with_qos_1_not_retained_when_an_alert_is_sent()
    {
        // Given
        using var broker = Mosquitto.StartAnonymous();
        await using var subscriber = await MqttSubscriber.ConnectAsync(broker.Port, "homecam/alerts/#");
        await using var notifier = await ConnectedNotifierAsync(Options(broker.Port), "front_door");
        var alert = SampleAlert();

        // When
        await notifier.SendAsync(alert, CancellationToken.None);

        // Then
        var message = Assert.Single(await subscriber.WaitForAsync(_ => true, 1, Patience));
        Assert.Equal("homecam/alerts/front_door", message.Topic);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfServiceLevel);
        Assert.False(message.Retain);
        var payload = JsonDocument.Parse(message.ConvertPayloadToString()).RootElement;
        Assert.Equal(
            ["activity_type", "camera_name", "clip_id", "dedupe_key", "notify_reason", "phase", "risk_level", "storage_uri", "summary", "ts", "upload_failed", "view_url"],
            payload.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(alert.ClipId.Value, payload.GetProperty("clip_id").GetString());
        Assert.Equal(alert.ClipId.Value, payload.GetProperty("dedupe_key").GetString());
        Assert.Equal("high", payload.GetProperty("risk_level").GetString());
        Assert.Equal(alert.ViewUrl, payload.GetProperty("view_url").GetString());
        Assert.Equal(alert.Ts, payload.GetProperty("ts").GetDateTimeOffset());
        Assert.False(payload.GetProperty("upload_failed").GetBoolean());
        Assert.Equal(alert, JsonSerializer.Deserialize<Alert>(message.ConvertPayloadToString()));
    }

    [Fact]
    public async Task Should_publish_online_retained_on_connect_and_offline_when_the_notifier_stops()
    {
        // Given
        using var broker = Mosquitto.StartAnonymous();
        var notifier = await ConnectedNotifierAsync(Options(broker.Port), "front_door");

        // When
        await using var subscriber = await MqttSubscriber.ConnectAsync(broker.Port, "homecam/status");
        var online = await subscriber.WaitForAsync(m => m.ConvertPayloadToString() == "online", 1, Patience);
        await notifier.DisposeAsync();

        // Then
        Assert.True(Assert.Single(online).Retain);
        await subscriber.WaitForAsync(m => m.ConvertPayloadToString() == "offline", 1, Patience);
    }

    [Fact]
    public async Task Should_fail_naming_the_problem_but_not_the_password_when_the_password_is_wrong()
    {
        // Given
        const string secret = "s3cret-wrong-Pa55";
        using var broker = Mosquitto.StartWithPassword("homesec", "right-password");
        await using var notifier = new MqttNotifier(Options(broker.Port, new MqttAuth("homesec", secret)), ["front_door"], NullLogger<MqttNotifier>.Instance);

        // When
        var error = await Assert.ThrowsAsync<MqttNotConnectedException>(() => notifier.SendAsync(SampleAlert(), CancellationToken.None));

        // Then
        Assert.Contains("not connected", error.Message, StringComparison.Ordinal);
        Assert.Contains("user 'homesec'", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains("BadUserNameOrPassword", StringComparison.OrdinalIgnoreCase)
                    || error.Message.Contains("NotAuthorized", StringComparison.OrdinalIgnoreCase), error.Message);
        Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_deliver_the_alert_when_the_broker_requires_a_password_and_it_is_right()
    {
        // Given
        using var broker = Mosquitto.StartWithPassword("homesec", "right-password");
        await using var subscriber = await MqttSubscriberWithPasswordAsync(broker.Port);
        await using var notifier = await ConnectedNotifierAsync(Options(broker.Port, new MqttAuth("homesec", "right-password")), "front_door");

        // When
        await notifier.SendAsync(SampleAlert(), CancellationToken.None);

        // Then
        var message = Assert.Single(await subscriber.WaitForAsync(_ => true, 1, Patience));
        Assert.Equal("homecam/alerts/front_door", message.Topic);
    }

    [Fact]
    public async Task Should_publish_retained_home_assistant_discovery_with_stable_unique_ids_when_discovery_is_enabled()
    {
        // Given
        using var broker = Mosquitto.StartAnonymous();
        var options = Options(broker.Port, discovery: true);

        // When
        await using (await ConnectedNotifierAsync(options, "front_door", "garden"))
        {
        }

        await using var firstRun = await MqttSubscriber.ConnectAsync(broker.Port, "homeassistant/#");
        var first = await firstRun.WaitForAsync(_ => true, 6, Patience);
        await using var restarted = await ConnectedNotifierAsync(options, "garden", "front_door");
        await using var secondRun = await MqttSubscriber.ConnectAsync(broker.Port, "homeassistant/#");
        var second = await secondRun.WaitForAsync(_ => true, 6, Patience);

        // Then
        Assert.All(first, m => Assert.True(m.Retain, m.Topic));
        Assert.Equal(
            ["homeassistant/binary_sensor/homesec/front_door_alert/config", "homeassistant/binary_sensor/homesec/garden_alert/config",
             "homeassistant/image/homesec/front_door_snapshot/config", "homeassistant/image/homesec/garden_snapshot/config",
             "homeassistant/sensor/homesec/front_door_last_alert/config", "homeassistant/sensor/homesec/garden_last_alert/config"],
            first.Select(m => m.Topic).Order(StringComparer.Ordinal));
        var configs = first.Select(m => JsonDocument.Parse(m.ConvertPayloadToString()).RootElement).ToList();
        foreach (var config in configs)
        {
            foreach (var key in new[] { "name", "unique_id", config.TryGetProperty("image_topic", out _) ? "image_topic" : "state_topic", "device", "availability_topic" })
            {
                Assert.True(config.TryGetProperty(key, out _), $"missing {key} in {config}");
            }

            Assert.Equal("homecam/status", config.GetProperty("availability_topic").GetString());
            Assert.False(config.TryGetProperty("object_id", out _), "object_id is deprecated since Home Assistant 2025.10");
            Assert.Equal("HomeSec", config.GetProperty("origin").GetProperty("name").GetString());
            Assert.NotEmpty(config.GetProperty("device").GetProperty("identifiers").EnumerateArray());
        }

        var frontDoor = configs.Single(c => c.GetProperty("unique_id").GetString() == "homesec_front_door_alert");
        Assert.Equal("homecam/alerts/front_door", frontDoor.GetProperty("state_topic").GetString());
        Assert.Equal(30, frontDoor.GetProperty("off_delay").GetInt32());
        Assert.Equal("occupancy", frontDoor.GetProperty("device_class").GetString());
        Assert.Contains("value_json.detected_classes", frontDoor.GetProperty("value_template").GetString(), StringComparison.Ordinal); // on for a person, not plain motion
        Assert.Equal("binary_sensor.homesec_front_door_alert", frontDoor.GetProperty("default_entity_id").GetString());
        var lastAlert = configs.Single(c => c.GetProperty("unique_id").GetString() == "homesec_front_door_last_alert");
        Assert.Equal("homecam/alerts/front_door", lastAlert.GetProperty("json_attributes_topic").GetString());
        Assert.Equal(frontDoor.GetProperty("device").ToString(), lastAlert.GetProperty("device").ToString());
        var image = configs.Single(c => c.GetProperty("unique_id").GetString() == "homesec_front_door_snapshot");
        Assert.Equal("homecam/snapshot/front_door", image.GetProperty("image_topic").GetString());
        Assert.Equal("image/jpeg", image.GetProperty("content_type").GetString());
        Assert.Equal(UniqueIds(first), UniqueIds(second));
    }

    private static IEnumerable<string> UniqueIds(IEnumerable<MqttApplicationMessage> messages) =>
        messages.Select(m => JsonDocument.Parse(m.ConvertPayloadToString()).RootElement.GetProperty("unique_id").GetString()!).Order(StringComparer.Ordinal);

    private static Task<MqttSubscriber> MqttSubscriberWithPasswordAsync(int port) => MqttSubscriber.ConnectAsync(port, "homecam/alerts/#", ("homesec", "right-password"));
}
