using System.Net;

namespace HomeSec.Core.Plugins.Sources.Ftp;

/// <summary>What a login attempt came to.</summary>
internal enum LoginVerdict
{
    Accepted,

    /// <summary>Wrong credentials; the caller waits <see cref="LoginAttempt.Delay"/> before it replies.</summary>
    Rejected,

    /// <summary>This attempt's failure banned the address.</summary>
    BannedNow,

    /// <summary>The address was already banned; the credentials were not even compared.</summary>
    Banned,
}

internal readonly record struct LoginAttempt(LoginVerdict Verdict, TimeSpan Delay, int FailuresInWindow);

/// <summary>
/// Per-address login throttling shared by every connection of one FTP source, so more connections
/// do not buy an attacker more guesses. After a failure the address's next attempt is held back
/// (1 s by default, doubling with each failure); attempts from parallel connections queue behind the
/// same time, and the credentials are compared under the lock, so each guess sees the failures before
/// it. Enough failures in the window ban the address for a while.
/// </summary>
internal sealed class FtpLoginThrottle(FtpSourceOptions options, TimeProvider clock)
{
    /// <summary>Above this many remembered addresses, stale ones are dropped (an address spray cannot grow memory without end).</summary>
    private const int PruneAbove = 1024;

    private readonly Dictionary<IPAddress, AddressState> _byAddress = [];
    private long _failedLogins;
    private long _bans;

    /// <summary>Failed logins since the source started (all addresses).</summary>
    public long FailedLogins => Interlocked.Read(ref _failedLogins);

    /// <summary>Bans imposed since the source started.</summary>
    public long Bans => Interlocked.Read(ref _bans);

    /// <summary>Addresses banned right now.</summary>
    public int ActiveBans
    {
        get
        {
            lock (_byAddress)
            {
                var now = clock.GetUtcNow();
                return _byAddress.Values.Count(s => s.BannedUntil > now);
            }
        }
    }

    public bool IsBanned(IPAddress address)
    {
        lock (_byAddress)
        {
            return _byAddress.TryGetValue(address, out var state) && state.BannedUntil > clock.GetUtcNow();
        }
    }

    /// <summary>Waits for the address's turn, then compares the credentials (<paramref name="credentialsMatch"/>, called under the lock) and records the outcome.</summary>
    public async Task<LoginAttempt> AttemptAsync(IPAddress address, Func<bool> credentialsMatch, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_byAddress)
            {
                var now = clock.GetUtcNow();
                var state = StateOf(address, now);
                if (state.BannedUntil > now)
                {
                    return new LoginAttempt(LoginVerdict.Banned, TimeSpan.Zero, state.Failures.Count);
                }

                wait = state.NotBefore - now;
                if (wait <= TimeSpan.Zero)
                {
                    return Decide(address, state, now, credentialsMatch());
                }
            }

            await Task.Delay(wait, clock, cancellationToken);
        }
    }

    private LoginAttempt Decide(IPAddress address, AddressState state, DateTimeOffset now, bool matched)
    {
        if (matched)
        {
            // the right password from this address: earlier typos there are forgiven
            _byAddress.Remove(address);
            return new LoginAttempt(LoginVerdict.Accepted, TimeSpan.Zero, 0);
        }

        Interlocked.Increment(ref _failedLogins);
        state.Failures.Enqueue(now);
        var failures = state.Failures.Count;
        if (options.BanAfterFailures > 0 && failures >= options.BanAfterFailures)
        {
            Interlocked.Increment(ref _bans);
            state.BannedUntil = now + options.BanDuration;
            state.Failures.Clear();
            return new LoginAttempt(LoginVerdict.BannedNow, TimeSpan.Zero, failures);
        }

        var delay = DelayAfter(failures);
        state.NotBefore = now + delay;
        return new LoginAttempt(LoginVerdict.Rejected, delay, failures);
    }

    private TimeSpan DelayAfter(int failures)
    {
        var doubled = options.LoginFailureDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
        return doubled >= options.LoginFailureDelayMax.Ticks ? options.LoginFailureDelayMax : TimeSpan.FromTicks((long)doubled);
    }

    private AddressState StateOf(IPAddress address, DateTimeOffset now)
    {
        if (_byAddress.Count > PruneAbove)
        {
            foreach (var stale in _byAddress.Where(p => p.Value.IsStale(now, options.BanWindow)).Select(p => p.Key).ToList())
            {
                _byAddress.Remove(stale);
            }
        }

        if (!_byAddress.TryGetValue(address, out var state))
        {
            state = new AddressState();
            _byAddress[address] = state;
        }

        while (state.Failures.TryPeek(out var oldest) && now - oldest > options.BanWindow)
        {
            state.Failures.Dequeue();
        }

        return state;
    }

    private sealed class AddressState
    {
        public Queue<DateTimeOffset> Failures { get; } = new();

        public DateTimeOffset NotBefore { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset BannedUntil { get; set; } = DateTimeOffset.MinValue;

        public bool IsStale(DateTimeOffset now, TimeSpan window) =>
            BannedUntil <= now && NotBefore <= now && (Failures.Count == 0 || now - Failures.Last() > window);
    }
}
