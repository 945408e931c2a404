using HomeSec.Core.Web;
using Xunit;

namespace HomeSec.Tests.Web;

public sealed class PasswordAndThrottleSpecs
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Should_accept_only_the_right_password_when_a_hash_is_verified()
    {
        // Given
        var hash = PasswordHasher.Hash("correct horse battery", iterations: 10_000);

        // When
        var right = PasswordHasher.Verify("correct horse battery", hash);
        var wrong = PasswordHasher.Verify("correct horse batterY", hash);

        // Then
        Assert.True(right);
        Assert.False(wrong);
        Assert.StartsWith("pbkdf2-sha256$10000$", hash, StringComparison.Ordinal);
        Assert.NotEqual(hash, PasswordHasher.Hash("correct horse battery", iterations: 10_000)); // salted
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha256$abc$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$10$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("pbkdf2-sha256$10000$!!notbase64$AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("md5$10000$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==")]
    public void Should_match_nothing_when_the_hash_is_malformed(string hash)
    {
        // Given a hash that is not one of ours

        // When
        var matched = PasswordHasher.Verify("anything", hash);

        // Then
        Assert.False(matched);
        Assert.False(PasswordHasher.IsHash(hash));
    }

    [Fact]
    public void Should_lock_a_user_after_five_failures_and_double_the_lockout_with_each_further_failure()
    {
        // Given
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var throttle = new LoginThrottle(clock);

        // When four failures, then the fifth, then a sixth once the first lockout is over
        for (var i = 0; i < 4; i++)
        {
            throttle.Failed("admin", "10.0.0.5");
        }

        var afterFour = throttle.RetryAfter("admin", "10.0.0.5");
        throttle.Failed("admin", "10.0.0.5");
        var afterFive = throttle.RetryAfter("admin", "10.0.0.9"); // another address: the user is locked all the same
        clock.Now += TimeSpan.FromMinutes(1);
        var afterWaiting = throttle.RetryAfter("admin", "10.0.0.9");
        throttle.Failed("admin", "10.0.0.5");
        var afterSix = throttle.RetryAfter("admin", "10.0.0.9");

        // Then
        Assert.Null(afterFour);
        Assert.Equal(TimeSpan.FromMinutes(1), afterFive);
        Assert.Null(afterWaiting);
        Assert.Equal(TimeSpan.FromMinutes(2), afterSix);
    }

    [Fact]
    public void Should_lock_an_address_that_guesses_many_user_names_and_not_unlock_it_with_one_good_login()
    {
        // Given
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var throttle = new LoginThrottle(clock);

        // When one address tries five different names, then logs in to one it knows
        foreach (var name in new[] { "root", "admin", "pi", "user", "guest" })
        {
            throttle.Failed(name, "10.0.0.66");
        }

        throttle.Succeeded("guest");
        var sameAddress = throttle.RetryAfter("mallory", "10.0.0.66");
        var otherAddress = throttle.RetryAfter("mallory", "10.0.0.7");

        // Then
        Assert.NotNull(sameAddress);
        Assert.Null(otherAddress);
    }

    [Fact]
    public void Should_forget_failures_older_than_the_window()
    {
        // Given four failures long ago
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var throttle = new LoginThrottle(clock);
        for (var i = 0; i < 4; i++)
        {
            throttle.Failed("admin", "10.0.0.5");
        }

        // When one more comes after the window
        clock.Now += LoginThrottle.Window + TimeSpan.FromSeconds(1);
        throttle.Failed("admin", "10.0.0.5");

        // Then it counts as the first of a new window
        Assert.Null(throttle.RetryAfter("admin", "10.0.0.5"));
    }
}
