using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Web.Live;

/// <summary><c>GET /api/clips/stream</c>: Server-Sent Events, one <c>clip</c> event per changed clip (<c>{"clip_id", "created_at"}</c>).</summary>
public static class LiveEndpoints
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapLiveEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/clips/stream", async (HttpContext context, ClipFeed feed) =>
        {
            var cancellationToken = context.RequestAborted;
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers["X-Accel-Buffering"] = "no"; // nginx in front must not hold events back
            var changes = feed.Subscribe(cancellationToken);
            await context.Response.WriteAsync("retry: 3000\n: connected\n\n", cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    using var beat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    beat.CancelAfter(Heartbeat);
                    string message;
                    try
                    {
                        var change = await changes.ReadAsync(beat.Token);
                        message = "event: clip\ndata: " + JsonSerializer.Serialize(new { clip_id = change.ClipId, created_at = change.CreatedAt.ToString("O") }) + "\n\n";
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        message = ": heartbeat\n\n"; // keeps proxies and phones from closing a quiet stream
                    }

                    await context.Response.WriteAsync(message, cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
            {
                // the page was closed
            }
        });
        return endpoints;
    }
}
