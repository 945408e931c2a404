using System.Diagnostics;
using System.Text.Json;
using HomeSec.Core.Alerts.Gate;
using HomeSec.Core.Plugins.Notifiers.Mqtt;
using HomeSec.IntegrationTests.TestSupport;
using MQTTnet;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace HomeSec.IntegrationTests.Notifiers;

/// <summary>The armed mode over MQTT with a real mosquitto and its own client: state (retained), commands, Home Assistant's select.</summary>
public sealed class MqttModeSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Should_publish_the_mode_take_a_command_from_mosquitto_pub_and_ignore_a_garbage_one()
    {
        // Given a notifier sharing the daemon's alert gate (mode home), with discovery on
        using var broker = Mosquitto.StartAnonymous();
        var gate = AlertGate.Open(ArmedMode.Home, new Dictionary<string, CameraAlertRules>());
        await using var notifier = new MqttNotifier(MqttNotifierSpecs.Options(broker.Port, discovery: true), ["front_door"], NullLogger<MqttNotifier>.Instance, gate);
        await Eventually.WaitForAsync(() => notifier.IsConnected, Patience, "the notifier to connect", () => notifier.LastError ?? "");
        await using var states = await MqttSubscriber.ConnectAsync(broker.Port, "homecam/mode");
        await using var discovery = await MqttSubscriber.ConnectAsync(broker.Port, "homeassistant/select/#");
        var initial = await states.WaitForAsync(m => m.ConvertPayloadToString() == "home", 1, Patience);

        // When a client sets away, then sends garbage
        await PublishAsync(broker.Port, "homecam/mode/set", "away");
        await Eventually.WaitForAsync(() => gate.Mode == ArmedMode.Away, Patience, "the mode set to away");
        var away = await states.WaitForAsync(m => m.ConvertPayloadToString() == "away", 1, Patience);
        await PublishAsync(broker.Port, "homecam/mode/set", "<script>disarm</script>");
        await PublishAsync(broker.Port, "homecam/mode/set", "off");
        await Eventually.WaitForAsync(() => gate.Mode == ArmedMode.Off, Patience, "the mode set to off after the garbage");
        await states.WaitForAsync(m => m.ConvertPayloadToString() == "off", 1, Patience);
        await using var later = await MqttSubscriber.ConnectAsync(broker.Port, "homecam/mode");
        var retained = await later.WaitForAsync(_ => true, 1, Patience);

        // Then
        Assert.True(Assert.Single(initial).Retain);
        Assert.Single(away);
        Assert.Equal("off", Assert.Single(retained).ConvertPayloadToString());
        Assert.True(retained[0].Retain);
        var select = JsonDocument.Parse(Assert.Single(await discovery.WaitForAsync(_ => true, 1, Patience)).ConvertPayloadToString()).RootElement;
        Assert.Equal("homecam/mode/set", select.GetProperty("command_topic").GetString());
        Assert.Equal("homecam/mode", select.GetProperty("state_topic").GetString());
        Assert.Equal(["home", "away", "off"], select.GetProperty("options").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal("select.homesec_mode", select.GetProperty("default_entity_id").GetString());
        Assert.False(select.TryGetProperty("object_id", out _));
    }

    [Fact]
    public async Task Should_publish_the_alerts_snapshot_retained_on_the_cameras_image_topic_but_never_its_server_path()
    {
        // Given an alert with a snapshot on disk
        using var broker = Mosquitto.StartAnonymous();
        var jpeg = Path.Combine(Path.GetTempPath(), $"homesec-snapshot-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(jpeg, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9]);
        await using var notifier = await MqttNotifierSpecs.ConnectedNotifierAsync(MqttNotifierSpecs.Options(broker.Port), "front_door");
        await using var images = await MqttSubscriber.ConnectAsync(broker.Port, "homecam/snapshot/#");
        await using var alerts = await MqttSubscriber.ConnectAsync(broker.Port, "homecam/alerts/#");

        // When
        await notifier.SendAsync(MqttNotifierSpecs.SampleAlert() with { SnapshotPath = jpeg, SnapshotUri = "local://front_door/x.snapshot.jpg" }, CancellationToken.None);

        // Then
        var image = Assert.Single(await images.WaitForAsync(_ => true, 1, Patience));
        Assert.Equal("homecam/snapshot/front_door", image.Topic);
        Assert.Equal(await File.ReadAllBytesAsync(jpeg), System.Buffers.BuffersExtensions.ToArray(image.Payload));
        var alert = Assert.Single(await alerts.WaitForAsync(_ => true, 1, Patience)).ConvertPayloadToString();
        Assert.Contains("\"snapshot_uri\":\"local://front_door/x.snapshot.jpg\"", alert, StringComparison.Ordinal);
        Assert.DoesNotContain(jpeg, alert, StringComparison.Ordinal);
        File.Delete(jpeg);
    }

    private static async Task PublishAsync(int port, string topic, string payload)
    {
        using var process = Process.Start(new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", topic, "-m", payload, "-q", "1"])
        {
            RedirectStandardError = true,
        })!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, errors);
    }
}
