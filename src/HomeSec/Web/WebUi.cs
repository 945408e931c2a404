using System.Globalization;
using System.Reflection;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Alerts.Gate;
using HomeSec.Core.Config;
using HomeSec.Core.Media;
using HomeSec.Core.Plugins;
using HomeSec.Web.Auth;
using HomeSec.Web.Components;
using HomeSec.Web.Components.Shared;
using HomeSec.Web.Live;
using HomeSec.Web.Media;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HomeSec.Web;

/// <summary>What the pages read: the config, where it came from, the query tables, the live frames.</summary>
public sealed record WebContext(AppConfig Config, string? ConfigFile, ClipStore Store, LiveFrames LiveFrames)
{
    /// <summary>
    /// The daemon's own storage plugin, set when the actor tree is built (a second instance of the local backend would
    /// clear the first one's partial uploads); media falls back to it when the local file is gone.
    /// </summary>
    public IStorageBackend? Storage { get; set; }
}

/// <summary>
/// The browser UI on the HTTP port: Razor components rendered on the server (static SSR: no WebAssembly, no SignalR
/// circuit, no Node.js build), a stylesheet and one ES module from the assembly, live updates by Server-Sent Events.
/// </summary>
public static class WebUi
{
    public static IServiceCollection AddHomeSecWeb(this IServiceCollection services, WebContext web)
    {
        services.AddSingleton(web);
        services.AddSingleton(web.Store);
        services.AddHomeSecWebAuth(web.Config);
        services.AddSingleton<ClipFeed>();
        services.AddHostedService(provider => provider.GetRequiredService<ClipFeed>());
        services.AddRazorComponents();
        return services;
    }

    /// <summary>Middleware order matters: headers on every answer, assets before auth (the login page needs them), then auth.</summary>
    public static WebApplication UseHomeSecWeb(this WebApplication app)
    {
        var web = app.Services.GetRequiredService<WebContext>();
        app.Use(SecurityHeaders);
        app.MapGet("/assets/{name}", (string name, HttpContext context) => Asset(name, context)).AllowAnonymous();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseApiCsrfCheck();
        app.MapAuthEndpoints();
        app.MapMediaEndpoints(web);
        app.MapLiveEndpoints();
        app.MapGet("/api/csrf", (IAntiforgery antiforgery, HttpContext context) =>
            Results.Json(new { header = WebAuth.CsrfHeader, token = antiforgery.GetAndStoreTokens(context).RequestToken }));
        app.MapPost("/clips/{clipId}/reviewed", async (string clipId, [FromForm] string? returnUrl, HttpContext context, CancellationToken cancellationToken) =>
        {
            if (!Core.Clips.ClipId.TryParse(clipId, out _))
            {
                return Results.NotFound();
            }

            await web.Store.MarkReviewedAsync(clipId, context.User.Identity?.Name ?? "unknown", DateTimeOffset.UtcNow, cancellationToken);
            return Results.Redirect(AuthEndpoints.SafeReturnUrl(returnUrl));
        });
        app.MapPost("/mode", ([FromForm] string? mode, Core.Alerts.Gate.AlertGate gate, HttpContext context, ILoggerFactory loggers) =>
        {
            if (!Core.Alerts.Gate.ArmedModes.TryParse(mode, out var armed))
            {
                return Results.BadRequest($"mode: '{mode}' is not allowed; allowed: {string.Join(", ", Core.Alerts.Gate.ArmedModes.ByWireName.Keys)}");
            }

            gate.SetMode(armed);
            loggers.CreateLogger("HomeSec.Web").LogInformation("{User} set the armed mode to {Mode}", context.User.Identity?.Name, armed.ToWireName());
            return Results.Redirect("/system");
        });
        app.MapGet("/review/rows", (HttpContext context, string? after, string? id) =>
        {
            // A live page asks for the clips that arrived after its newest row, or for one clip that changed.
            var filters = ReviewFilters.FromQuery(context.Request.Query) with { Before = null };
            DateTimeOffset? from = DateTimeOffset.TryParse(after, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) ? parsed : null;
            var clip = Core.Clips.ClipId.TryParse(id, out _) ? id : null;
            return new RazorComponentResult<ReviewRows>(new { Query = filters.ToQuery(from, clip), ReturnUrl = "/" });
        });
        if (web.Config.Web.Enabled)
        {
            app.MapRazorComponents<App>();
        }

        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HomeSec.Web");
        var credentials = app.Services.GetRequiredService<Core.Web.Credentials>();
        try
        {
            credentials.EnsureCliToken();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("Cannot write the CLI token in {Dir} ({Error}); `homesec mode` and `inspect` then need --token", web.Config.StateStore.LocalStateDir, ex.Message);
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (!credentials.HasUsers)
            {
                log.LogWarning("No web UI user yet: every page and the API refuse until one exists. Create one with `homesec user add NAME --config {Config}`",
                    web.ConfigFile ?? "homesec.yaml");
            }
        });
        return app;
    }

    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        // Stored text (camera names, VLM summaries that a prompt injection could fill with HTML) is encoded by Razor;
        // the policy is the second wall: no inline script or style, nothing from another origin, no framing.
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; " +
                                        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        return next();
    }

    private static readonly Assembly Self = typeof(WebUi).Assembly;

    private static IResult Asset(string name, HttpContext context)
    {
        var contentType = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => null,
        };
        if (contentType is null || Self.GetManifestResourceStream("HomeSec.Web.Assets." + name) is not { } stream)
        {
            return Results.NotFound();
        }

        context.Response.Headers.CacheControl = "no-cache"; // revalidated by ETag: a new version shows at once
        var tag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{HomeSec.Actors.Hosting.BuildInfo.Version.Replace("\"", "", StringComparison.Ordinal)}-{stream.Length}\"");
        return Results.Stream(stream, contentType, entityTag: tag);
    }
}
