using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Clips;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Web.Media;

/// <summary>
/// <c>GET /media/clips/{id}</c> (the clip, with HTTP range requests so the browser can seek; <c>?download=1</c> as an
/// attachment), <c>GET /media/snapshots/{id}</c> (the alert picture) and <c>GET /media/cameras/{name}/live</c> (the latest
/// detect frame as PNG for cameras that decode one, else the newest snapshot). All need a login like every page.
/// </summary>
public static class MediaEndpoints
{
    /// <summary>A live frame older than this is not live any more: the tile falls back to the newest snapshot.</summary>
    private static readonly TimeSpan LiveFrameMaxAge = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapMediaEndpoints(this IEndpointRouteBuilder endpoints, WebContext web)
    {
        var store = web.Store;
        var liveFrames = web.LiveFrames;
        endpoints.MapGet("/media/clips/{clipId}", async (string clipId, bool? download, CancellationToken cancellationToken) =>
        {
            if (await StateOf(store, clipId, cancellationToken) is not { } state)
            {
                return Results.NotFound();
            }

            var name = Path.GetFileName(state.LocalPath ?? clipId + ".mp4");
            var attachment = download == true ? name : null;
            if (!state.LocalDeleted && MediaFiles.Servable(state.LocalPath, MediaFiles.VideoTypes) is var (path, type))
            {
                return Results.File(path, type, attachment, enableRangeProcessing: true);
            }

            // The file on this machine is gone (retention, or a source that moved it): the stored copy, when storage has one.
            var storage = web.Storage;
            if (storage is null || !state.IsStoredRemotely || state.CameraName is null || state.LocalPath is null)
            {
                return Results.NotFound();
            }

            var key = StorageKeys.ForClip(state.CameraName, state.ClipId, state.LocalPath);
            var contentType = MediaFiles.VideoTypes.GetValueOrDefault(Path.GetExtension(key), "application/octet-stream");
            if (storage is ILocalFileStorage local)
            {
                return MediaFiles.Servable(local.LocalPathOf(key), MediaFiles.VideoTypes) is var (stored, storedType)
                    ? Results.File(stored, storedType, attachment, enableRangeProcessing: true)
                    : Results.NotFound();
            }

            // A remote backend (Dropbox): streamed through this server, so the browser never needs its credentials.
            return Results.Stream(await storage.OpenReadAsync(key, cancellationToken), contentType, attachment);
        });
        endpoints.MapGet("/media/snapshots/{clipId}", async (string clipId, CancellationToken cancellationToken) =>
            await StateOf(store, clipId, cancellationToken) is { } state && MediaFiles.Servable(state.Filter?.Snapshot?.LocalPath, MediaFiles.ImageTypes) is var (path, type)
                ? Results.File(path, type)
                : Results.NotFound());
        endpoints.MapGet("/media/thumbnails/{clipId}", async (string clipId, HttpContext context, CancellationToken cancellationToken) =>
        {
            if (await StateOf(store, clipId, cancellationToken) is not { } state)
            {
                return Results.NotFound();
            }

            context.Response.Headers.CacheControl = "private, max-age=86400";
            if (MediaFiles.Servable(state.Filter?.Snapshot?.LocalPath, MediaFiles.ImageTypes) is var (snapshot, snapshotType))
            {
                return Results.File(snapshot, snapshotType);
            }

            if (state.LocalDeleted || MediaFiles.Servable(state.LocalPath, MediaFiles.VideoTypes) is not var (clip, _))
            {
                return Results.NotFound();
            }

            var thumbnail = Thumbnail.PathFor(clip, state.ClipId.Value);
            if (MediaFiles.Servable(thumbnail, MediaFiles.ImageTypes) is null)
            {
                // ffmpeg per thumbnail: at most two at once, so a page of new clips cannot starve the recorder on a small box.
                await ThumbnailMakers.WaitAsync(cancellationToken);
                try
                {
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    deadline.CancelAfter(TimeSpan.FromSeconds(15));
                    if (!File.Exists(thumbnail) && !await Thumbnail.MakeAsync(clip, state.Duration?.TotalSeconds ?? 0, thumbnail, deadline.Token))
                    {
                        return Results.NotFound();
                    }
                }
                finally
                {
                    ThumbnailMakers.Release();
                }
            }

            return MediaFiles.Servable(thumbnail, MediaFiles.ImageTypes) is var (made, madeType) ? Results.File(made, madeType) : Results.NotFound();
        });
        endpoints.MapGet("/media/cameras/{camera}/live", async (string camera, HttpContext context, CancellationToken cancellationToken) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            if (liveFrames.Latest(camera) is { } frame && DateTimeOffset.UtcNow - frame.At <= LiveFrameMaxAge)
            {
                context.Response.Headers["X-Frame-Time"] = frame.At.ToString("O");
                return Results.Bytes(GrayPng.Encode(frame.Pixels, frame.Width, frame.Height, frame.Channels), "image/png");
            }

            var recent = await store.ReviewAsync(new ReviewQuery(Camera: camera, Limit: 20), cancellationToken);
            var snapshot = recent.Select(r => MediaFiles.Servable(r.State.Filter?.Snapshot?.LocalPath, MediaFiles.ImageTypes)).FirstOrDefault(s => s is not null);
            return snapshot is var (path, type) ? Results.File(path, type) : Results.NotFound();
        });
        return endpoints;
    }

    private static readonly SemaphoreSlim ThumbnailMakers = new(2);

    private static async Task<ClipState?> StateOf(ClipStore store, string clipId, CancellationToken cancellationToken)
    {
        if (!ClipId.TryParse(clipId, out _))
        {
            return null;
        }

        var (clip, _) = await store.ShowAsync(clipId, cancellationToken);
        return clip?.State;
    }
}
