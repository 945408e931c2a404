using HomeSec.Core.Alerts;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Config;

/// <summary>Secrets (<c>*_env</c> keys), read through a test-only notifier plugin as future plugins will.</summary>
public sealed class ConfigSectionSpecs
{
    private const string Variable = "HOMESEC_TEST_TOKEN";
    private const string SecretValue = "s3cr3t-Value-9f8e7d";

    private static readonly string FakeNotifierYaml = ConfigYaml.With($"""
        notifiers:
          - backend: fake
            config:
              token_env: {Variable}

        """);

    [Fact]
    public void Should_hand_the_secret_value_to_the_plugin_when_the_variable_is_set()
    {
        // Given
        var registries = RegistriesWithFakeNotifier();
        Func<string, string?> environment = name => name == Variable ? SecretValue : null;

        // When
        var config = AppConfigLoader.Load(FakeNotifierYaml, registries, environment);

        // Then
        var notifier = Assert.Single(config.Notifiers);
        Assert.Equal("fake", notifier.Name);
        Assert.Equal(SecretValue, Assert.IsType<FakeOptions>(notifier.Plugin.Options).Token);
    }

    [Theory]
    [InlineData(null)] // set but empty: see ConfigRejectionSpecs
    public void Should_name_the_variable_and_the_key_path_when_the_variable_is_not_set(string? value)
    {
        // Given
        var registries = RegistriesWithFakeNotifier();
        Func<string, string?> environment = _ => value;

        // When
        var exception = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(FakeNotifierYaml, registries, environment));

        // Then
        var error = Assert.Single(exception.Errors);
        Assert.Equal("notifiers[0].config.token_env", error.Path);
        Assert.Contains($"'{Variable}' is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("notifiers[0].config.token_env", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_require_the_key_when_a_required_secret_key_is_missing()
    {
        // Given
        var registries = RegistriesWithFakeNotifier();
        var yaml = ConfigYaml.With("notifiers:\n  - backend: fake\n    config: {}\n");

        // When
        var exception = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, registries, _ => SecretValue));

        // Then
        var error = Assert.Single(exception.Errors);
        Assert.Equal("notifiers[0].config.token_env", error.Path);
        Assert.Contains("is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_never_show_the_secret_value_when_the_config_has_other_errors()
    {
        // Given
        var registries = RegistriesWithFakeNotifier();
        var yaml = FakeNotifierYaml.Replace($"token_env: {Variable}", $"token_env: {Variable}\n      channel: {{a: 1}}", StringComparison.Ordinal)
            + "health:\n  port: not-a-port\n";
        Func<string, string?> environment = name => name == Variable ? SecretValue : null;

        // When
        var exception = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, registries, environment));

        // Then
        Assert.Equal(["health.port", "notifiers[0].config.channel"], exception.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(SecretValue, exception.Message, StringComparison.Ordinal);
        Assert.All(exception.Errors, e => Assert.DoesNotContain(SecretValue, e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Should_refuse_the_key_when_a_secret_key_does_not_end_in_env()
    {
        // Given
        var registries = PluginRegistries.CreateBuiltin();
        registries.Notifiers.Register("leaky", section => new FakeOptions(section.Secret("token", required: true)), (_, _) => new FakeNotifier());
        var yaml = ConfigYaml.With("notifiers:\n  - backend: leaky\n    config:\n      token: abc\n");

        // When
        var exception = Assert.Throws<ArgumentException>(() => AppConfigLoader.Load(yaml, registries, _ => SecretValue));

        // Then
        Assert.Equal("envKey", exception.ParamName);
    }

    private static PluginRegistries RegistriesWithFakeNotifier()
    {
        var registries = PluginRegistries.CreateBuiltin();
        registries.Notifiers.Register("fake", section => new FakeOptions(section.Secret("token_env", required: true)), (_, _) => new FakeNotifier());
        return registries;
    }

    private sealed record FakeOptions(string? Token);

    private sealed class FakeNotifier : INotifier
    {
        public Task SendAsync(Alert alert, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
