using HomeSec.Core.Clips;
using HomeSec.Core.Plugins;

namespace HomeSec.TestSupport;

/// <summary>
/// Watches a clip source in the background as a camera actor would: collects the clips it hands over and the
/// exception that ended the watch (a camera actor would fail with it). Disposing it stops the watch.
/// </summary>
public sealed class ClipSourceWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RecordedClip> _clips = [];
    private readonly Task _watching;

    public ClipSourceWatch(IClipSource source)
    {
        _watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var clip in source.WatchAsync(_stop.Token))
                {
                    lock (_clips)
                    {
                        _clips.Add(clip);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // stopped by the test
            }
            catch (Exception ex)
            {
                Failure = ex;
            }
        });
    }

    public Exception? Failure { get; private set; }

    public IReadOnlyList<RecordedClip> Clips
    {
        get
        {
            lock (_clips)
            {
                return _clips.ToList();
            }
        }
    }

    public bool Stopped => _stop.IsCancellationRequested;

    /// <summary>Cancels the watch and waits (at most <paramref name="patience"/>) for the source to end it.</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        await _stop.CancelAsync();
        await _watching.WaitAsync(patience);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Stopped)
        {
            await StopAsync(TimeSpan.FromSeconds(20));
        }

        _stop.Dispose();
    }
}
