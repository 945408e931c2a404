using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Web;
using Xunit;

namespace HomeSec.Tests.Web;

public sealed class WebConfigSpecs
{
    private const string Base = """
        cameras:
          - name: front_door
            source: {type: local_folder, config: {watch_dir: /tmp/homesec-tests/in}}
        storage: {backend: local, config: {root: /tmp/homesec-tests/storage}}

        """;

    private static readonly string Hash = PasswordHasher.Hash("a-good-password", 10_000);

    private static AppConfig Load(string yaml, Func<string, string?>? environment = null) =>
        AppConfigLoader.Load(Base + yaml, PluginRegistries.CreateBuiltin(), environment ?? (_ => null));

    [Fact]
    public void Should_read_the_web_section_with_a_user_from_an_environment_variable()
    {
        // Given
        var yaml = """
            web:
              public_url: https://nvr.example.lan/
              session_hours: 12
              health_access: loopback
              users:
                - name: admin
                  password_hash_env: HOMESEC_ADMIN_HASH
            """;

        // When
        var web = Load(yaml, name => name == "HOMESEC_ADMIN_HASH" ? Hash : null).Web;

        // Then
        Assert.Equal(TimeSpan.FromHours(12), web.SessionLifetime);
        Assert.Equal(OpenEndpointAccess.Loopback, web.HealthAccess);
        Assert.Equal("https://nvr.example.lan/clips/front_door-20261201T120000Z", web.ClipPageUrl("front_door-20261201T120000Z"));
        Assert.Equal(new EnvUser("admin", Hash), Assert.Single(web.Users));
    }

    [Fact]
    public void Should_default_to_an_open_health_endpoint_a_month_long_session_and_no_public_url()
    {
        // Given a config without a web section

        // When
        var web = Load("").Web;

        // Then
        Assert.True(web.Enabled);
        Assert.Null(web.PublicUrl);
        Assert.Null(web.ClipPageUrl("x"));
        Assert.Equal(TimeSpan.FromDays(30), web.SessionLifetime);
        Assert.Equal(OpenEndpointAccess.Open, web.HealthAccess);
    }

    [Theory]
    [InlineData("web: {public_url: 'nvr.lan'}", "web.public_url", "absolute http:// or https:// URL")]
    [InlineData("web: {public_url: 'ftp://nvr.lan'}", "web.public_url", "absolute http:// or https:// URL")]
    [InlineData("web: {health_access: everyone}", "web.health_access", "open, loopback, auth")]
    [InlineData("web: {users: [{name: 'bad name', password_hash_env: H}]}", "web.users[0].name", "letters, digits")]
    [InlineData("web: {users: [{name: admin, password_hash_env: PLAIN}]}", "web.users[0].password_hash_env", "homesec user hash")]
    [InlineData("web: {users: [{name: admin, password_hash_env: MISSING}]}", "web.users[0].password_hash_env", "MISSING")]
    public void Should_name_the_key_and_what_is_allowed_when_the_web_section_is_wrong(string yaml, string path, string hint)
    {
        // Given
        string? Environment(string name) => name switch { "H" => Hash, "PLAIN" => "hunter2", _ => null };

        // When
        var errors = Assert.Throws<ConfigException>(() => Load(yaml, Environment)).Errors;

        // Then
        var error = Assert.Single(errors, e => e.Path == path);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
    }
}
