using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.AlertPolicies.Default;
using HomeSec.Core.Plugins.AlertPolicies.Noop;
using HomeSec.Core.Plugins.Filters.None;
using HomeSec.Core.Plugins.Notifiers.Log;
using HomeSec.Core.Plugins.Sources.LocalFolder;
using HomeSec.Core.Plugins.Storage.Local;
using HomeSec.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace HomeSec.Tests.Plugins;

public sealed class PluginRegistrySpecs
{
    private static readonly PluginContext Context = new(NullLoggerFactory.Instance, TimeProvider.System, "front_door");

    [Fact]
    public void Should_throw_when_a_plugin_name_is_registered_twice()
    {
        // Given
        var registries = PluginRegistries.CreateBuiltin();

        // When
        var exception = Assert.Throws<InvalidOperationException>(() =>
            registries.Storage.Register("local", LocalStorageOptions.Read, (options, _) => new LocalStorage(options)));

        // Then
        Assert.Contains("'local'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("already registered", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_accept_the_same_name_when_it_is_registered_for_another_kind()
    {
        // Given
        var registries = PluginRegistries.CreateBuiltin();

        // When
        registries.Sources.Register("none", NoOptions.Read, (_, _) => throw new NotSupportedException());

        // Then
        Assert.Equal(["ftp", "local_folder", "none", "rtsp"], registries.Sources.Names);
        Assert.Equal(["none", "yolo"], registries.Filters.Names);
    }

    [Fact]
    public void Should_list_the_builtin_plugins_when_the_builtin_registries_are_created()
    {
        // Given
        // (the plugins this milestone ships)

        // When
        var registries = PluginRegistries.CreateBuiltin();

        // Then
        Assert.Equal(["ftp", "local_folder", "rtsp"], registries.Sources.Names);
        Assert.Equal(["none", "yolo"], registries.Filters.Names);
        Assert.Equal(["openai"], registries.Analyzers.Names);
        Assert.Equal(["dropbox", "local"], registries.Storage.Names);
        Assert.Equal(["email", "log", "mqtt", "ntfy", "telegram", "webhook"], registries.Notifiers.Names);
        Assert.Equal(["default", "noop"], registries.AlertPolicies.Names);
    }

    [Fact]
    public void Should_build_each_configured_plugin_when_the_example_config_is_loaded()
    {
        // Given
        var registries = PluginRegistries.CreateBuiltin();
        var config = AppConfigLoader.LoadFile(RepoPaths.ExampleConfig, registries, _ => null);

        // When
        var source = registries.Sources.Create(config.Cameras[0].Source, Context);
        var storage = registries.Storage.Create(config.Storage.Plugin, Context);
        var notifier = registries.Notifiers.Create(config.Notifiers[0].Plugin, Context);
        var filter = registries.Filters.Create(config.Filter.Plugin, Context);
        var policy = registries.AlertPolicies.Create(config.AlertPolicy, Context);

        // Then
        Assert.IsType<LocalFolderSource>(source);
        Assert.IsType<LocalStorage>(storage);
        using var log = Assert.IsType<LogNotifier>(notifier);
        Assert.IsType<NoFilter>(filter);
        Assert.IsType<DefaultAlertPolicy>(policy);
    }

    [Fact]
    public void Should_build_the_noop_policy_when_the_config_names_it()
    {
        // Given
        var registries = PluginRegistries.CreateBuiltin();
        var config = AppConfigLoader.Load(ConfigYaml.With("alert_policy:\n  backend: noop\n"), registries, _ => null);

        // When
        var policy = registries.AlertPolicies.Create(config.AlertPolicy, Context);

        // Then
        Assert.IsType<NoopAlertPolicy>(policy);
    }

    [Fact]
    public void Should_throw_when_a_spec_names_a_plugin_that_is_not_registered()
    {
        // Given
        var registries = PluginRegistries.CreateBuiltin();
        var spec = new PluginSpec(PluginKind.Storage, "s3", NoOptions.Instance);

        // When
        var exception = Assert.Throws<InvalidOperationException>(() => registries.Storage.Create(spec, Context));

        // Then
        Assert.Contains("'s3'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_throw_when_a_spec_of_another_kind_is_created()
    {
        // Given
        var registries = PluginRegistries.CreateBuiltin();
        var spec = new PluginSpec(PluginKind.Filter, "local", NoOptions.Instance);

        // When
        var exception = Assert.Throws<InvalidOperationException>(() => registries.Storage.Create(spec, Context));

        // Then
        Assert.Contains("'local'", exception.Message, StringComparison.Ordinal);
    }
}
