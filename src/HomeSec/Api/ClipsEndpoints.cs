using System.Text.Json;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Api;

/// <summary>
/// The JSON API over the state store's query tables: <c>GET /api/clips?camera=&amp;status=&amp;since=&amp;limit=</c>
/// (newest first) and <c>GET /api/clips/{id}</c> (the state and its event history).
/// </summary>
public static class ClipsEndpoints
{
    public static IEndpointRouteBuilder MapClipsEndpoints(this IEndpointRouteBuilder endpoints, ClipStore store)
    {
        endpoints.MapGet("/api/clips", async (string? camera, string? status, string? since, int? limit, CancellationToken cancellationToken) =>
        {
            DateTimeOffset? from = null;
            if (since is not null)
            {
                if (ClipsCommand.ParseSince(since, DateTimeOffset.UtcNow) is not { } parsed)
                {
                    return Results.BadRequest(new { error = $"since: '{since}' is not a time; use an ISO time or an age (30m, 24h, 7d)" });
                }

                from = parsed;
            }

            var clips = await store.ListAsync(camera, status, from, Math.Clamp(limit ?? 50, 1, 1000), cancellationToken);
            return Results.Json(clips.Select(c => JsonDocument.Parse(c.Json).RootElement));
        });
        endpoints.MapGet("/api/clips/{clipId}", async (string clipId, CancellationToken cancellationToken) =>
        {
            var (clip, events) = await store.ShowAsync(clipId, cancellationToken);
            return clip is null
                ? Results.NotFound(new { error = $"no clip '{clipId}'" })
                : Results.Json(new
                {
                    clip = JsonDocument.Parse(clip.Json).RootElement,
                    events = events.Select(e => new { sequence_nr = e.SequenceNr, type = e.EventType, at = e.At, data = JsonDocument.Parse(e.Json).RootElement }),
                });
        });
        return endpoints;
    }
}
