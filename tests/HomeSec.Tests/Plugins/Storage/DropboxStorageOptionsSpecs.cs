using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Storage.Dropbox;
using HomeSec.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace HomeSec.Tests.Plugins.Storage;

public sealed class DropboxStorageOptionsSpecs
{
    private const string TokenValue = "sl.token-value-do-not-print";
    private const string RefreshValue = "refresh-value-do-not-print";
    private const string SecretValue = "app-secret-value-do-not-print";

    [Fact]
    public void Should_read_the_defaults_and_build_the_plugin_when_only_token_env_is_set()
    {
        // Given
        var yaml = Config("token_env: HOMESEC_TEST_DROPBOX_TOKEN");
        var registries = PluginRegistries.CreateBuiltin();

        // When
        var config = AppConfigLoader.Load(yaml, registries, Environment(("HOMESEC_TEST_DROPBOX_TOKEN", TokenValue)));

        // Then
        var options = Assert.IsType<DropboxStorageOptions>(config.Storage.Plugin.Options);
        Assert.Equal("dropbox", config.Storage.Plugin.Name);
        Assert.Equal("/homesec", options.Root);
        Assert.Equal(TokenValue, options.Credentials.AccessToken);
        Assert.False(options.Credentials.UsesRefreshToken);
        Assert.Equal("https://api.dropboxapi.com/2", options.ApiUrl.AbsoluteUri.TrimEnd('/'));
        Assert.Equal("https://content.dropboxapi.com/2", options.ContentUrl.AbsoluteUri.TrimEnd('/'));
        Assert.Equal("https://api.dropboxapi.com", options.OAuthUrl.AbsoluteUri.TrimEnd('/'));
        Assert.Equal(8L * 1024 * 1024, options.ChunkSizeBytes);
        Assert.True(options.SharedLinks);
        Assert.DoesNotContain(TokenValue, options.ToString());
        using var plugin = Assert.IsType<DropboxStorage>(registries.Storage.Create(config.Storage.Plugin, new PluginContext(NullLoggerFactory.Instance, TimeProvider.System)));
    }

    [Fact]
    public void Should_read_the_refresh_flow_and_every_option_when_they_are_given()
    {
        // Given
        var yaml = Config("""
            root: /Apps/HomeSec/clips/
            refresh_token_env: HOMESEC_TEST_DROPBOX_REFRESH
            app_key_env: HOMESEC_TEST_DROPBOX_KEY
            app_secret_env: HOMESEC_TEST_DROPBOX_SECRET
            api_url: http://127.0.0.1:9000/2
            content_url: http://127.0.0.1:9001/2
            oauth_url: http://127.0.0.1:9002
            chunk_size_mb: 1
            shared_links: false
            timeout_s: 30
            """);

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment(
            ("HOMESEC_TEST_DROPBOX_REFRESH", RefreshValue), ("HOMESEC_TEST_DROPBOX_KEY", "app-key"), ("HOMESEC_TEST_DROPBOX_SECRET", SecretValue)));

        // Then
        var options = Assert.IsType<DropboxStorageOptions>(config.Storage.Plugin.Options);
        Assert.Equal("/Apps/HomeSec/clips", options.Root);
        Assert.True(options.Credentials.UsesRefreshToken);
        Assert.Equal(RefreshValue, options.Credentials.RefreshToken);
        Assert.Equal("app-key", options.Credentials.AppKey);
        Assert.Equal(SecretValue, options.Credentials.AppSecret);
        Assert.Equal(1024L * 1024, options.ChunkSizeBytes);
        Assert.False(options.SharedLinks);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestTimeout);
        Assert.Equal(9001, options.ContentUrl.Port);
        Assert.DoesNotContain(RefreshValue, options.ToString());
        Assert.DoesNotContain(SecretValue, options.ToString());
    }

    [Fact]
    public void Should_reject_the_config_naming_the_variable_when_the_token_variable_is_not_set()
    {
        // Given
        var yaml = Config("token_env: HOMESEC_TEST_MISSING_DROPBOX_TOKEN");

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment()));

        // Then
        var error = Assert.Single(failure.Errors);
        Assert.Equal("storage.config.token_env", error.Path);
        Assert.Contains("HOMESEC_TEST_MISSING_DROPBOX_TOKEN", error.Message);
    }

    [Fact]
    public void Should_name_the_missing_variable_but_no_secret_when_the_app_secret_variable_is_not_set()
    {
        // Given
        var yaml = Config("""
            refresh_token_env: HOMESEC_TEST_DROPBOX_REFRESH
            app_key_env: HOMESEC_TEST_DROPBOX_KEY
            app_secret_env: HOMESEC_TEST_MISSING_DROPBOX_SECRET
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment(
            ("HOMESEC_TEST_DROPBOX_REFRESH", RefreshValue), ("HOMESEC_TEST_DROPBOX_KEY", "app-key"))));

        // Then
        var error = Assert.Single(failure.Errors);
        Assert.Equal("storage.config.app_secret_env", error.Path);
        Assert.Contains("HOMESEC_TEST_MISSING_DROPBOX_SECRET", error.Message);
        Assert.DoesNotContain(RefreshValue, failure.Message);
    }

    [Fact]
    public void Should_require_the_app_key_when_the_refresh_flow_is_incomplete()
    {
        // Given
        var yaml = Config("""
            refresh_token_env: HOMESEC_TEST_DROPBOX_REFRESH
            app_secret_env: HOMESEC_TEST_DROPBOX_SECRET
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment(
            ("HOMESEC_TEST_DROPBOX_REFRESH", RefreshValue), ("HOMESEC_TEST_DROPBOX_SECRET", SecretValue))));

        // Then
        var error = Assert.Single(failure.Errors);
        Assert.Equal("storage.config.app_key_env", error.Path);
        Assert.Contains("required", error.Message);
    }

    [Fact]
    public void Should_reject_the_config_with_a_clear_error_when_token_env_and_the_refresh_flow_are_both_set()
    {
        // Given
        var yaml = Config("""
            token_env: HOMESEC_TEST_DROPBOX_TOKEN
            refresh_token_env: HOMESEC_TEST_DROPBOX_REFRESH
            app_key_env: HOMESEC_TEST_DROPBOX_KEY
            app_secret_env: HOMESEC_TEST_DROPBOX_SECRET
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment(
            ("HOMESEC_TEST_DROPBOX_TOKEN", TokenValue), ("HOMESEC_TEST_DROPBOX_REFRESH", RefreshValue), ("HOMESEC_TEST_DROPBOX_KEY", "app-key"),
            ("HOMESEC_TEST_DROPBOX_SECRET", SecretValue))));

        // Then
        var error = Assert.Single(failure.Errors);
        Assert.Equal("storage.config.token_env", error.Path);
        Assert.Contains("mutually exclusive", error.Message);
        Assert.Contains("refresh_token_env", error.Message);
    }

    [Fact]
    public void Should_reject_the_config_when_no_credentials_are_set()
    {
        // Given
        var yaml = Config("root: /homesec");

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment()));

        // Then
        var error = Assert.Single(failure.Errors);
        Assert.Equal("storage.config", error.Path);
        Assert.Contains("token_env", error.Message);
        Assert.Contains("refresh_token_env", error.Message);
    }

    [Fact]
    public void Should_reject_an_unknown_key_when_the_dropbox_config_has_one()
    {
        // Given
        var yaml = Config("""
            token_env: HOMESEC_TEST_DROPBOX_TOKEN
            access_token: pasted-here-by-mistake
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment(("HOMESEC_TEST_DROPBOX_TOKEN", TokenValue))));

        // Then
        var error = Assert.Single(failure.Errors);
        Assert.Equal("storage.config.access_token", error.Path);
        Assert.Contains("unknown key", error.Message);
        Assert.Contains("token_env", error.Message);
    }

    [Fact]
    public void Should_reject_every_bad_value_at_once_when_several_options_are_wrong()
    {
        // Given
        var yaml = Config("""
            token_env: HOMESEC_TEST_DROPBOX_TOKEN
            root: homesec
            api_url: ftp://example.org
            chunk_size_mb: 151
            shared_links: maybe
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Environment(("HOMESEC_TEST_DROPBOX_TOKEN", TokenValue))));

        // Then
        Assert.Equal(
            ["storage.config.api_url", "storage.config.chunk_size_mb", "storage.config.root", "storage.config.shared_links"],
            failure.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    private static string Config(string dropboxOptions) =>
        ConfigYaml.Camera + "storage:\n  backend: dropbox\n  config:\n" + string.Join("\n", dropboxOptions.Split('\n').Select(line => "    " + line)) + "\n";

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
