namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>Waits for a condition on the outside world (files, HTTP), polling briefly; fails with a description.</summary>
public static class Eventually
{
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
