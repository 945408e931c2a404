using System.Threading.Channels;
using HomeSec.Actors.Repository.Sql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HomeSec.Web.Live;

/// <summary>A clip whose state changed (new, analysed, alerted, stored, deleted…).</summary>
public sealed record ClipChange(string ClipId, DateTimeOffset CreatedAt);

/// <summary>
/// Tells open review pages which clips changed. It reads the query table the projection writes (not the actor tree),
/// once a second and only while someone watches, so it sees exactly what the pages show and costs nothing otherwise.
/// A subscriber that cannot keep up loses the oldest changes, never blocks the others (the page reloads them anyway).
/// </summary>
public sealed class ClipFeed(ClipStore store, ILogger<ClipFeed> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private readonly List<Channel<ClipChange>> _subscribers = [];

    public ChannelReader<ClipChange> Subscribe(CancellationToken until)
    {
        var channel = Channel.CreateBounded<ClipChange>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }

        until.Register(() =>
        {
            lock (_lock)
            {
                _subscribers.Remove(channel);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? position = null;
        using var timer = new PeriodicTimer(PollInterval);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            Channel<ClipChange>[] subscribers;
            lock (_lock)
            {
                subscribers = [.. _subscribers];
            }

            try
            {
                if (subscribers.Length == 0)
                {
                    position = null; // nobody watches: nothing to remember
                    continue;
                }

                position ??= await store.LatestOrderingAsync(stoppingToken);
                var (clips, next) = await store.ChangedAfterAsync(position.Value, stoppingToken);
                position = next;
                failing = false;
                foreach (var (clipId, createdAt) in clips)
                {
                    foreach (var subscriber in subscribers)
                    {
                        subscriber.Writer.TryWrite(new ClipChange(clipId, createdAt));
                    }
                }
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                if (!failing)
                {
                    logger.LogWarning("The web UI's live feed cannot read the state store ({Error}); pages show new clips once it answers again", ex.Message);
                }

                failing = true;
            }
        }
    }
}
