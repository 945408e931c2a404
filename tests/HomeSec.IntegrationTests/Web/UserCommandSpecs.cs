using HomeSec.IntegrationTests.TestSupport;
using Xunit;

namespace HomeSec.IntegrationTests.Web;

/// <summary><c>homesec user</c> and <c>homesec token</c>: every refusal is one sentence and an exit code.</summary>
public sealed class UserCommandSpecs : IDisposable
{
    private readonly DaemonSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Theory]
    [InlineData("short\n", "admin", "at least 8 characters")]
    [InlineData("long-enough-password\n", "bad name!", "is not allowed; a user name is 1 to 64 letters")]
    public async Task Should_refuse_in_one_sentence_and_save_nothing_when_the_name_or_password_is_unusable(string input, string name, string message)
    {
        // Given a sandbox with no users

        // When
        var (exitCode, output) = await _sandbox.RunCliWithInputAsync(input, "user", "add", name, "--password-stdin");
        var (_, listed) = await _sandbox.RunCliAsync("user", "list");

        // Then
        Assert.Equal(2, exitCode);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", listed.Trim());
    }

    [Fact]
    public async Task Should_list_a_user_and_replace_their_password_when_added_twice()
    {
        // Given
        await _sandbox.RunCliWithInputAsync("first-password\n", "user", "add", "admin", "--password-stdin");

        // When
        var (exitCode, _) = await _sandbox.RunCliWithInputAsync("second-password\n", "user", "add", "admin", "--password-stdin");
        var (_, listed) = await _sandbox.RunCliAsync("user", "list");
        var credentials = new HomeSec.Core.Web.Credentials(_sandbox.LocalStateDir, []);

        // Then
        Assert.Equal(0, exitCode);
        Assert.Single(listed.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("admin\t", listed, StringComparison.Ordinal);
        Assert.Null(credentials.CheckPassword("admin", "first-password"));
        Assert.Equal("admin", credentials.CheckPassword("admin", "second-password"));
    }

    [Fact]
    public async Task Should_say_so_when_revoking_a_token_that_does_not_exist()
    {
        // Given no tokens

        // When
        var (exitCode, output) = await _sandbox.RunCliAsync("token", "revoke", "nothing-here");

        // Then
        Assert.Equal(1, exitCode);
        Assert.Equal("homesec: there is no token 'nothing-here'.", output.Trim());
    }

    [Fact]
    public async Task Should_print_a_hash_that_a_config_user_can_use()
    {
        // Given / When
        var (exitCode, output) = await DaemonProcess.RunToEndWithInputAsync(_sandbox.Root, new Dictionary<string, string>(), "a-container-password\n", "user", "hash", "--password-stdin");

        // Then
        Assert.Equal(0, exitCode);
        Assert.True(HomeSec.Core.Web.PasswordHasher.Verify("a-container-password", output.Trim()));
    }
}
