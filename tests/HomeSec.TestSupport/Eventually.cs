namespace HomeSec.TestSupport;

/// <summary>Waits (polling briefly, without sleeping a thread) for a condition another thread or process makes true.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>True once <paramref name="condition"/> holds, false when the timeout passes first.</summary>
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }

    /// <summary>The same for a condition that has to await (e.g. a login attempt).</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    /// <summary>
    /// The first non-null value of <paramref name="probe"/> (files, HTTP, a database row); throws a
    /// <see cref="TimeoutException"/> naming <paramref name="what"/> (and the diagnostics) when none comes in time.
    /// </summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan within, string what, Func<string>? diagnostics = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {within.TotalSeconds} s waiting for {what}{(diagnostics is null ? "" : Environment.NewLine + diagnostics())}");
            }

            await Task.Delay(100);
        }
    }

    public static Task WaitForAsync(Func<bool> condition, TimeSpan within, string what, Func<string>? diagnostics = null) =>
        WaitForAsync(() => Task.FromResult(condition() ? "ok" : null), within, what, diagnostics);
}
