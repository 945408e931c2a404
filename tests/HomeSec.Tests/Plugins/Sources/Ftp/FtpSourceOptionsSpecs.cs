using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Sources.Ftp;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Ftp;

public sealed class FtpSourceOptionsSpecs
{
    [Fact]
    public void Should_read_the_ftp_options_with_defaults_when_only_port_user_password_and_root_are_given()
    {
        // Given
        var yaml = Camera("""
                    port: 2121
                    username: gate
                    password_env: HOMESEC_TEST_FTP_PASSWORD
                    root: /tmp/homesec-tests/ftp/gate
            """);

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Env(("HOMESEC_TEST_FTP_PASSWORD", "pa55word")));

        // Then
        var options = Assert.IsType<FtpSourceOptions>(config.Cameras[0].Source.Options);
        Assert.Equal(("0.0.0.0", 2121, "gate", "pa55word", false), (options.Host, options.Port, options.Username, options.Password, options.Anonymous));
        Assert.Equal((2048L * 1024 * 1024, 8, TimeSpan.FromSeconds(300)), (options.MaxFileBytes, options.MaxConnections, options.IdleTimeout));
        Assert.Null(options.PassivePorts);
        Assert.Equal("/tmp/homesec-tests/ftp/gate/.homesec/manifest.jsonl", options.ManifestPath);
        Assert.DoesNotContain("pa55word", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_every_bad_key_but_never_the_password_when_the_ftp_options_are_invalid()
    {
        // Given
        var yaml = Camera("""
                    username: gate
                    password_env: HOMESEC_TEST_FTP_UNSET
                    root: /tmp/homesec-tests/ftp/gate
                    passive_ports: 60000-50000
                    host: not-an-address
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() =>
            AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Env(("HOMESEC_TEST_FTP_PASSWORD", "pa55word"))));

        // Then
        Assert.Equal(
            ["cameras[0].source.config.host", "cameras[0].source.config.passive_ports", "cameras[0].source.config.password_env", "cameras[0].source.config.port"],
            failure.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("pa55word", string.Join("\n", failure.Errors.Select(e => e.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_the_hostile_input_limits_with_safe_defaults_and_name_the_key_when_one_is_wrong()
    {
        // Given
        var defaults = Camera("""
                    port: 2121
                    anonymous: true
                    root: /tmp/homesec-tests/ftp/gate
            """);
        var custom = Camera("""
                    port: 2121
                    anonymous: true
                    root: /tmp/homesec-tests/ftp/gate
                    pre_auth_timeout_s: 5
                    max_pre_auth_connections_per_ip: 2
                    max_pre_auth_connections: 10
                    login_fail_delay_s: 2
                    login_fail_delay_max_s: 1
                    ban_after_failures: -1
                    ban_window_s: 60
                    ban_duration_s: 120
            """);

        // When
        var options = Assert.IsType<FtpSourceOptions>(AppConfigLoader.Load(defaults, PluginRegistries.CreateBuiltin(), Env()).Cameras[0].Source.Options);
        var failure = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(custom, PluginRegistries.CreateBuiltin(), Env()));

        // Then
        Assert.Equal((TimeSpan.FromSeconds(15), 3, 32), (options.PreAuthTimeout, options.MaxPreAuthConnectionsPerAddress, options.MaxPreAuthConnections));
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)), (options.LoginFailureDelay, options.LoginFailureDelayMax));
        Assert.Equal((5, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15)), (options.BanAfterFailures, options.BanWindow, options.BanDuration));
        Assert.Equal(
            ["cameras[0].source.config.ban_after_failures", "cameras[0].source.config.login_fail_delay_max_s"],
            failure.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Should_need_no_user_or_password_when_anonymous_uploads_are_enabled()
    {
        // Given
        var yaml = Camera("""
                    port: 2121
                    anonymous: true
                    root: /tmp/homesec-tests/ftp/gate
                    passive_ports: 50000-50010
            """);

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Env());

        // Then
        var options = Assert.IsType<FtpSourceOptions>(config.Cameras[0].Source.Options);
        Assert.True(options.Anonymous);
        Assert.Null(options.Username);
        Assert.Equal((50000, 50010), options.PassivePorts);
    }

    private static string Camera(string config) => $"""
        cameras:
          - name: gate
            source:
              type: ftp
              config:
        {config}

        """ + ConfigYaml.Storage;

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
