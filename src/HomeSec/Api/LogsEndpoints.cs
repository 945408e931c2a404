using System.Globalization;
using System.Text.Json;
using HomeSec.Hosting;
using HomeSec.Web.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace HomeSec.Api;

/// <summary>
/// The daemon's log, live: <c>GET /api/logs?lines=N&amp;level=L</c> (the last lines kept in memory) and
/// <c>GET /api/logs/stream?lines=N&amp;level=L</c> (Server-Sent Events: those lines, then each new one as a <c>log</c> event).
/// Logs name cameras, addresses and users, so these need a login or a token like the other API calls; <c>homesec logs -f</c> reads the stream.
/// </summary>
public static class LogsEndpoints
{
    private const int DefaultLines = 100;

    public static IEndpointRouteBuilder MapLogsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/logs", (LogTail tail, string? lines, string? level) =>
            Query(lines, level) switch
            {
                (int count, LogLevel minimum, null) => Results.Json(new { lines = tail.Recent(count, minimum).Select(Wire) }),
                (_, _, { } problem) => Results.Json(new { error = problem }, statusCode: StatusCodes.Status400BadRequest),
            });
        endpoints.MapGet("/api/logs/stream", async (HttpContext context, LogTail tail, string? lines, string? level) =>
        {
            var (count, minimum, problem) = Query(lines, level);
            if (problem is not null)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new { error = problem });
                return;
            }

            var cancellationToken = context.RequestAborted;
            // Subscribe before reading what is kept, then skip what the kept lines already gave: nothing falls between.
            var feed = tail.Subscribe(cancellationToken);
            var last = 0L;
            await ServerSentEvents.StartAsync(context.Response, cancellationToken);
            try
            {
                foreach (var line in tail.Recent(count, minimum))
                {
                    await context.Response.WriteAsync(Event(line), cancellationToken);
                    last = line.Sequence;
                }

                await context.Response.Body.FlushAsync(cancellationToken);
                while (!cancellationToken.IsCancellationRequested)
                {
                    var (has, line) = await ServerSentEvents.NextOrHeartbeatAsync(feed, cancellationToken);
                    if (!has)
                    {
                        await context.Response.WriteAsync(ServerSentEvents.HeartbeatComment, cancellationToken);
                    }
                    else if (line!.Sequence > last && LogTail.TryParseLevel(line.Level, out var lineLevel) && lineLevel >= minimum)
                    {
                        if (line.Sequence > last + 1 && last > 0 && minimum <= LogLevel.Information) // every line is kept at info: a hole is lines this reader lost
                        {
                            await context.Response.WriteAsync($"event: gap\ndata: {(line.Sequence - last - 1).ToString(CultureInfo.InvariantCulture)}\n\n", cancellationToken);
                        }

                        last = line.Sequence;
                        await context.Response.WriteAsync(Event(line), cancellationToken);
                    }

                    await context.Response.Body.FlushAsync(cancellationToken);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
            {
                // the reader went away, or the daemon is stopping
            }
        });
        return endpoints;
    }

    private static (int Count, LogLevel Minimum, string? Problem) Query(string? lines, string? level)
    {
        var count = DefaultLines;
        if (lines is not null && (!int.TryParse(lines, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count > LogTail.Capacity))
        {
            return (0, LogLevel.None, $"lines '{lines}' is not allowed; give a whole number from 0 to {LogTail.Capacity}");
        }

        var minimum = LogLevel.Information;
        if (level is not null && !LogTail.TryParseLevel(level, out minimum))
        {
            return (0, LogLevel.None, $"level '{level}' is not allowed; allowed: info, warning, error, critical");
        }

        return (count, minimum, null);
    }

    private static object Wire(LogLine line) => new { seq = line.Sequence, at = line.At, level = line.Level, category = line.Category, message = line.Message };

    private static string Event(LogLine line) =>
        $"id: {line.Sequence.ToString(CultureInfo.InvariantCulture)}\nevent: log\ndata: {JsonSerializer.Serialize(Wire(line))}\n\n";
}
