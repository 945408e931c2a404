using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace HomeSec.Web.Live;

/// <summary>What every Server-Sent Events endpoint of the daemon does the same way: the headers, and the heartbeat.</summary>
public static class ServerSentEvents
{
    /// <summary>A comment this often keeps proxies and phones from closing a quiet stream.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public const string HeartbeatComment = ": heartbeat\n\n";

    /// <summary>Headers for a stream no cache or proxy holds back, and the reconnect delay.</summary>
    public static async Task StartAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx in front must not hold events back
        await response.WriteAsync("retry: 3000\n: connected\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>The next item, or <c>(false, default)</c> when a heartbeat is due first. Throws when the reading ends.</summary>
    public static async Task<(bool Has, T? Item)> NextOrHeartbeatAsync<T>(ChannelReader<T> reader, CancellationToken cancellationToken)
    {
        using var beat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        beat.CancelAfter(Heartbeat);
        try
        {
            return (true, await reader.ReadAsync(beat.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, default);
        }
    }
}
