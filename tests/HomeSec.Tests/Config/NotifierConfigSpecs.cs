using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Notifiers.Email;
using HomeSec.Core.Plugins.Notifiers.Mqtt;
using Xunit;

namespace HomeSec.Tests.Config;

public sealed class NotifierConfigSpecs
{
    private const string Base = """
        cameras:
          - name: front_door
            source: {type: local_folder, config: {watch_dir: /tmp/homesec-config-spec}}
        storage: {backend: local, config: {root: /tmp/homesec-config-spec-storage}}
        """;

    private static AppConfig Load(string notifiers, IDictionary<string, string>? environment = null) =>
        AppConfigLoader.Load(Base + "\n" + notifiers, PluginRegistries.CreateBuiltin(), name => environment?.TryGetValue(name, out var v) == true ? v : null);

    [Fact]
    public void Should_read_typed_mqtt_and_email_options_when_the_notifiers_are_configured()
    {
        // Given
        const string yaml = """
            notifiers:
              - backend: mqtt
                config:
                  host: broker.lan
                  auth: {username_env: MQTT_USER, password_env: MQTT_PASSWORD}
                  qos: 2
                  home_assistant: {discovery: true}
              - backend: email
                config:
                  provider: sendgrid
                  to_emails: [a@example.com]
                  from_email: homesec@example.com
                  sendgrid: {api_key_env: SENDGRID_KEY, base_url: "http://127.0.0.1:9999"}
            outbox: {dir: /tmp/homesec-outbox-spec, max_items: 5}
            """;
        var environment = new Dictionary<string, string> { ["MQTT_USER"] = "homesec", ["MQTT_PASSWORD"] = "pw", ["SENDGRID_KEY"] = "SG.key" };

        // When
        var config = Load(yaml, environment);

        // Then
        var mqtt = Assert.IsType<MqttNotifierOptions>(config.Notifiers[0].Plugin.Options);
        Assert.Equal(("broker.lan", 1883, 2, false), (mqtt.Host, mqtt.Port, mqtt.Qos, mqtt.Retain));
        Assert.Equal("homecam/alerts/front_door", mqtt.TopicFor("front_door"));
        Assert.Equal(new MqttAuth("homesec", "pw"), mqtt.Auth);
        Assert.DoesNotContain("pw", mqtt.Auth!.ToString(), StringComparison.Ordinal);
        Assert.True(mqtt.HomeAssistant.Discovery);
        var email = Assert.IsType<EmailNotifierOptions>(config.Notifiers[1].Plugin.Options);
        Assert.Equal(EmailProvider.SendGrid, email.Provider);
        Assert.Equal(new Uri("http://127.0.0.1:9999"), email.SendGrid!.BaseUrl);
        Assert.DoesNotContain("SG.key", email.ToString(), StringComparison.Ordinal);
        Assert.Equal(5, config.Outbox.MaxItems);
    }

    [Fact]
    public void Should_name_the_variable_and_not_a_value_when_a_secret_variable_is_missing()
    {
        // Given
        const string yaml = """
            notifiers:
              - backend: mqtt
                config: {host: broker.lan, auth: {username_env: MQTT_USER, password_env: MQTT_PASSWORD}}
            """;

        // When
        var error = Assert.Throws<ConfigException>(() => Load(yaml, new Dictionary<string, string> { ["MQTT_USER"] = "homesec" }));

        // Then
        var missing = Assert.Single(error.Errors);
        Assert.Equal("notifiers[0].config.auth.password_env", missing.Path);
        Assert.Contains("'MQTT_PASSWORD' is not set", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_report_each_bad_key_when_the_notifier_options_are_invalid()
    {
        // Given
        const string yaml = """
            notifiers:
              - backend: mqtt
                config: {host: broker.lan, qos: 3, topic_template: "homecam/{clip_id}/#", colour: blue}
              - backend: email
                config: {provider: pigeon, to_emails: [not-an-address], from_email: homesec@example.com, smtp: {host: mail.lan, security: ssl}}
            """;

        // When
        var error = Assert.Throws<ConfigException>(() => Load(yaml));

        // Then
        Assert.Equal(
            ["notifiers[0].config.colour", "notifiers[0].config.qos", "notifiers[0].config.topic_template",
             "notifiers[1].config.provider", "notifiers[1].config.smtp.security", "notifiers[1].config.to_emails"],
            error.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }
}
