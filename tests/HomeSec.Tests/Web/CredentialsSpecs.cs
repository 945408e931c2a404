using HomeSec.Core.Web;
using HomeSec.TestSupport;
using Xunit;

namespace HomeSec.Tests.Web;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CredentialsSpecs : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Should_check_saved_users_and_config_users_and_refuse_unknown_ones()
    {
        // Given a saved user and one whose hash comes from the config
        var fromEnv = new EnvUser("ops", PasswordHasher.Hash("ops-password", 10_000));
        var credentials = new Credentials(_dir.Path, [fromEnv]);
        credentials.SaveUser("admin", "admin-password", TimeProvider.System);

        // When
        var admin = credentials.CheckPassword("admin", "admin-password");
        var ops = credentials.CheckPassword("ops", "ops-password");
        var wrong = credentials.CheckPassword("admin", "ops-password");
        var unknown = credentials.CheckPassword("nobody", "admin-password");

        // Then
        Assert.Equal("admin", admin);
        Assert.Equal("ops", ops);
        Assert.Null(wrong);
        Assert.Null(unknown);
        Assert.True(credentials.HasUsers);
        Assert.DoesNotContain("admin-password", File.ReadAllText(credentials.UsersPath), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials.UsersPath));
    }

    [Fact]
    public void Should_see_a_user_another_process_added_without_a_restart()
    {
        // Given the daemon's credentials, read once with no users
        var daemon = new Credentials(_dir.Path, []);
        Assert.False(daemon.HasUsers);

        // When the CLI (another instance) adds a user
        new Credentials(_dir.Path, []).SaveUser("admin", "admin-password", TimeProvider.System);

        // Then
        Assert.Equal("admin", daemon.CheckPassword("admin", "admin-password"));
    }

    [Fact]
    public void Should_accept_a_token_until_it_is_revoked_and_keep_only_its_digest()
    {
        // Given
        var credentials = new Credentials(_dir.Path, []);
        var token = credentials.CreateToken("home-assistant", TimeProvider.System);

        // When
        var before = credentials.CheckToken(token);
        var forged = credentials.CheckToken(token[..^2] + "xx");
        credentials.RevokeToken("home-assistant");
        var after = credentials.CheckToken(token);

        // Then
        Assert.StartsWith(Credentials.TokenPrefix, token, StringComparison.Ordinal);
        Assert.Equal("home-assistant", before);
        Assert.Null(forged);
        Assert.Null(after);
        Assert.DoesNotContain(token, File.ReadAllText(credentials.TokensPath), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_make_the_cli_token_once_and_accept_it()
    {
        // Given
        var credentials = new Credentials(_dir.Path, []);

        // When the daemon starts twice
        credentials.EnsureCliToken();
        var first = Credentials.ReadCliToken(_dir.Path);
        credentials.EnsureCliToken();
        var second = Credentials.ReadCliToken(_dir.Path);

        // Then
        Assert.NotNull(first);
        Assert.Equal(first, second);
        Assert.Equal("cli", credentials.CheckToken(first!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials.CliTokenPath));
    }
}
