using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Web.Live;

/// <summary><c>GET /api/clips/stream</c>: Server-Sent Events, one <c>clip</c> event per changed clip (<c>{"clip_id", "created_at"}</c>).</summary>
public static class LiveEndpoints
{
    public static IEndpointRouteBuilder MapLiveEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/clips/stream", async (HttpContext context, ClipFeed feed) =>
        {
            var cancellationToken = context.RequestAborted;
            var changes = feed.Subscribe(cancellationToken);
            await ServerSentEvents.StartAsync(context.Response, cancellationToken);
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var (has, change) = await ServerSentEvents.NextOrHeartbeatAsync(changes, cancellationToken);
                    var message = has
                        ? "event: clip\ndata: " + JsonSerializer.Serialize(new { clip_id = change!.ClipId, created_at = change.CreatedAt.ToString("O") }) + "\n\n"
                        : ServerSentEvents.HeartbeatComment;
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
