using System.Threading.Channels;

namespace HomeSec.Web.Live;

/// <summary>
/// The readers of a live feed (changed clips, log lines): each has its own bounded channel that loses its oldest item when
/// the reader falls behind, so whoever publishes never waits and one slow page or terminal never holds up the others.
/// </summary>
public sealed class Subscribers<T>(int capacity)
{
    private readonly Lock _lock = new();
    private readonly List<Channel<T>> _channels = [];

    public bool Any
    {
        get
        {
            lock (_lock)
            {
                return _channels.Count > 0;
            }
        }
    }

    /// <summary>The items published from now on, until <paramref name="until"/> ends the reading.</summary>
    public ChannelReader<T> Subscribe(CancellationToken until)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            _channels.Add(channel);
        }

        until.Register(() =>
        {
            lock (_lock)
            {
                _channels.Remove(channel);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void Publish(T item)
    {
        lock (_lock)
        {
            foreach (var channel in _channels)
            {
                channel.Writer.TryWrite(item);
            }
        }
    }

    /// <summary>Ends every reading (the feed is going away).</summary>
    public void CompleteAll()
    {
        lock (_lock)
        {
            foreach (var channel in _channels)
            {
                channel.Writer.TryComplete();
            }

            _channels.Clear();
        }
    }
}
