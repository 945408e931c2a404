namespace HomeSec.Core.Web;

/// <summary>
/// Slows password guessing: after <see cref="FreeFailures"/> failed logins for one user name or from one address
/// within <see cref="Window"/>, further tries are refused for a lockout that starts at one minute and doubles with
/// each failure up to <see cref="MaxLockout"/>. A good password clears the user's count (not the address's, so one
/// known account does not reset an attacker's budget for the others). Thread-safe; state is in memory only, so a
/// restart forgives (an attacker cannot restart the daemon from outside).
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    public const int FreeFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan FirstLockout = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxLockout = TimeSpan.FromMinutes(15);
    private const int MaxTrackedKeys = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(int Failures, DateTimeOffset FirstFailure, DateTimeOffset LockedUntil);

    /// <summary>When the next try is allowed, or null when it is allowed now.</summary>
    public TimeSpan? RetryAfter(string userName, string address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var waits = new[] { UserKey(userName), AddressKey(address) }
                .Select(key => _entries.TryGetValue(key, out var entry) && entry.LockedUntil > now ? entry.LockedUntil - now : TimeSpan.Zero)
                .Max();
            return waits > TimeSpan.Zero ? waits : null;
        }
    }

    public void Failed(string userName, string address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_entries.Count > MaxTrackedKeys)
            {
                Prune(now);
            }

            foreach (var key in new[] { UserKey(userName), AddressKey(address) })
            {
                var entry = _entries.TryGetValue(key, out var found) && now - found.FirstFailure <= Window ? found : new Entry(0, now, now);
                var failures = entry.Failures + 1;
                var lockedUntil = failures >= FreeFailures ? now + Lockout(failures) : entry.LockedUntil;
                _entries[key] = entry with { Failures = failures, LockedUntil = lockedUntil, FirstFailure = failures >= FreeFailures ? now : entry.FirstFailure };
            }
        }
    }

    public void Succeeded(string userName)
    {
        lock (_lock)
        {
            _entries.Remove(UserKey(userName));
        }
    }

    private static TimeSpan Lockout(int failures)
    {
        var doublings = Math.Min(failures - FreeFailures, 10);
        var lockout = TimeSpan.FromTicks(FirstLockout.Ticks << doublings);
        return lockout < MaxLockout ? lockout : MaxLockout;
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries.Where(e => e.Value.LockedUntil <= now && now - e.Value.FirstFailure > Window).ToList())
        {
            _entries.Remove(key);
        }
    }

    private static string UserKey(string userName) => "user:" + userName.ToLowerInvariant();

    private static string AddressKey(string address) => "addr:" + address;
}
