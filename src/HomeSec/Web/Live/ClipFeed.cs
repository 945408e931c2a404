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
    private readonly Subscribers<ClipChange> _subscribers = new(256);

    public ChannelReader<ClipChange> Subscribe(CancellationToken until) => _subscribers.Subscribe(until);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? position = null;
        using var timer = new PeriodicTimer(PollInterval);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                if (!_subscribers.Any)
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
                    _subscribers.Publish(new ClipChange(clipId, createdAt));
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
