using System.Globalization;
using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Daemon;

/// <summary>
/// A database password with <c>;</c> and <c>'</c> in it, against a real PostgreSQL that asks for it: from
/// <c>PGPASSWORD</c> beside a DSN that has none (what deploy/docker-compose.postgres.yml does), or quoted in the DSN.
/// The start-up banner names the database, never the password.
/// </summary>
public sealed class PostgresPasswordSpecs
{
    private const string Password = "se;cr'et pass";

    [Fact]
    public async Task Should_reach_the_database_when_the_password_comes_from_PGPASSWORD()
    {
        // Given
        await using var postgres = await PostgresServer.StartAsync(Password);
        using var sandbox = new DaemonSandbox(postgres.ConnectionString);
        sandbox.ExtraEnvironment["PGPASSWORD"] = Password;

        // When
        await using var daemon = sandbox.StartDaemon();
        var health = await sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("state_store").GetProperty("mode").GetString() == "online", "the state store online");

        // Then
        Assert.True(health.GetProperty("state_store").GetProperty("healthy").GetBoolean());
        Assert.Contains($"state store: postgres homesec@127.0.0.1:{postgres.Port.ToString(CultureInfo.InvariantCulture)}/homesec", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("se;cr", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_reach_the_database_when_the_dsn_quotes_a_password_with_a_semicolon_and_a_quote()
    {
        // Given
        await using var postgres = await PostgresServer.StartAsync(Password);
        using var sandbox = new DaemonSandbox($"{postgres.ConnectionString};Password='{Password.Replace("'", "''", StringComparison.Ordinal)}'");

        // When
        await using var daemon = sandbox.StartDaemon();
        var health = await sandbox.WaitForHealthAsync(daemon, h => h.GetProperty("state_store").GetProperty("mode").GetString() == "online", "the state store online");

        // Then
        Assert.True(health.GetProperty("state_store").GetProperty("healthy").GetBoolean());
        Assert.DoesNotContain("se;cr", daemon.Output, StringComparison.Ordinal);
    }
}
