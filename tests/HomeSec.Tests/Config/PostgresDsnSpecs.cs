using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Tests.TestSupport;
using Npgsql;
using Xunit;

namespace HomeSec.Tests.Config;

/// <summary>
/// A PostgreSQL password may hold <c>;</c> or <c>'</c>: quoted in Npgsql's syntax (<c>Password='a;b'</c>, a quote
/// inside doubled) it reaches Npgsql whole; unquoted, the DSN is rejected when the config is read, never cut short.
/// (deploy/docker-compose.postgres.yml avoids quoting altogether: the password comes from PGPASSWORD.)
/// </summary>
public sealed class PostgresDsnSpecs
{
    private const string Yaml = "storage: {backend: local, config: {root: /tmp/homesec-tests/storage}}\nstate_store: {backend: postgres, dsn_env: HOMESEC_DB_DSN}\n";

    [Theory]
    [InlineData("Password='se;cr''et'", "se;cr'et")]
    [InlineData("Password=\"a;b=c\"", "a;b=c")]
    [InlineData("Password=plain", "plain")]
    public void Should_hand_npgsql_the_whole_password_when_the_dsn_quotes_it(string passwordPair, string password)
    {
        // Given
        var dsn = $"Host=db;Port=5432;Username=homesec;Database=homesec;{passwordPair}";

        // When
        var config = AppConfigLoader.Load(ConfigYaml.Camera + Yaml, PluginRegistries.CreateBuiltin(), Environment(dsn));
        var parsed = new NpgsqlConnectionStringBuilder(config.StateStore.PostgresConnectionString);

        // Then
        Assert.Equal(password, parsed.Password);
        Assert.Equal("db", parsed.Host);
        Assert.Equal("homesec", parsed.Database);
    }

    [Fact]
    public void Should_reject_the_dsn_without_showing_it_when_a_password_with_a_semicolon_is_not_quoted()
    {
        // Given
        var dsn = "Host=db;Port=5432;Username=homesec;Database=homesec;Password=se;cret";

        // When
        var errors = Assert.Throws<ConfigException>(() => AppConfigLoader.Load(ConfigYaml.Camera + Yaml, PluginRegistries.CreateBuiltin(), Environment(dsn))).Errors;

        // Then
        var error = Assert.Single(errors);
        Assert.Equal("state_store.dsn_env", error.Path);
        Assert.DoesNotContain("cret", error.ToString(), StringComparison.Ordinal);
    }

    private static Func<string, string?> Environment(string dsn) => name => name == "HOMESEC_DB_DSN" ? dsn : null;
}
