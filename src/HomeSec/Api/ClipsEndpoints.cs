using System.Text.Json;
using System.Text.Json.Nodes;
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
            return Results.Json(clips.Select(c => WithoutServerPaths(c.Json)));
        });
        endpoints.MapGet("/api/clips/{clipId}", async (string clipId, CancellationToken cancellationToken) =>
        {
            var (clip, events) = await store.ShowAsync(clipId, cancellationToken);
            return clip is null
                ? Results.NotFound(new { error = $"no clip '{clipId}'" })
                : Results.Json(new
                {
                    clip = WithoutServerPaths(clip.Json),
                    events = events.Select(e => new { sequence_nr = e.SequenceNr, type = e.EventType, at = e.At, data = WithoutServerPaths(e.Json) }),
                });
        });
        return endpoints;
    }

    /// <summary>
    /// A clip's state or event without the paths on this machine (<c>local_path</c>, and <c>file://</c> URIs of the local
    /// storage, at any depth): they tell a caller the server's layout and open nothing on a phone; the clip and its
    /// snapshot are served by id under <c>/media</c>.
    /// </summary>
    public static JsonNode? WithoutServerPaths(string json)
    {
        var node = JsonNode.Parse(json);
        Strip(node);
        return node;

        static void Strip(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    obj.Remove("local_path");
                    foreach (var (key, value) in obj.ToList())
                    {
                        if (value is JsonValue text && text.TryGetValue<string>(out var uri) && uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
                        {
                            obj.Remove(key);
                        }
                    }

                    foreach (var (_, child) in obj.ToList())
                    {
                        Strip(child);
                    }

                    break;
                case JsonArray array:
                    foreach (var child in array)
                    {
                        Strip(child);
                    }

                    break;
            }
        }
    }
}
