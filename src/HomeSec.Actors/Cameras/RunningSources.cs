namespace HomeSec.Actors.Cameras;

/// <summary>
/// The watch loops of the camera sources that run now. Coordinated shutdown stops them all and waits until
/// they have ended (bounded), so every ffmpeg a source started is killed and reaped before the process exits.
/// Thread-safe: camera actors add and remove themselves, the shutdown task reads.
/// </summary>
public sealed class RunningSources
{
    private readonly Lock _gate = new();
    private readonly Dictionary<object, (CancellationTokenSource Stop, Task Watching)> _running = [];

    public void Add(object owner, CancellationTokenSource stop, Task watching)
    {
        lock (_gate)
        {
            _running[owner] = (stop, watching);
        }

        watching.ContinueWith(_ => Remove(owner), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    /// <returns>False when some source did not stop within <paramref name="timeout"/>.</returns>
    public async Task<bool> StopAllAsync(TimeSpan timeout)
    {
        List<(CancellationTokenSource Stop, Task Watching)> running;
        lock (_gate)
        {
            running = [.. _running.Values];
        }

        foreach (var (stop, _) in running)
        {
            try
            {
                await stop.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // its actor stopped it already
            }
        }

        var all = Task.WhenAll(running.Select(r => r.Watching));
        return await Task.WhenAny(all, Task.Delay(timeout)) == all;
    }

    private void Remove(object owner)
    {
        lock (_gate)
        {
            _running.Remove(owner);
        }
    }
}
