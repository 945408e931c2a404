using System.Net;
using HomeSec.Core.Config;
using HomeSec.Core.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HomeSec.Web.Auth;

/// <summary>
/// Who may use the HTTP port: a session cookie after <c>/login</c> (HttpOnly, SameSite=Strict, Secure behind TLS) or an
/// API token. Every endpoint needs one of them (the fallback policy) unless it says otherwise: the login page, the
/// stylesheet and scripts, and <c>/health</c> + <c>/metrics</c> as <c>web.health_access</c> allows.
/// </summary>
public static class WebAuth
{
    public const string Scheme = "homesec";
    public const string ViaClaim = "homesec:via";
    public const string HealthPolicy = "health";
    public const string CsrfHeader = "X-CSRF-Token";

    public static IServiceCollection AddHomeSecWebAuth(this IServiceCollection services, AppConfig config)
    {
        var credentials = new Credentials(config.StateStore.LocalStateDir, config.Web.Users);
        services.AddSingleton(credentials);
        services.AddSingleton(new LoginThrottle(TimeProvider.System));
        // Session cookies stay valid across restarts: the keys that sign them live beside the other local state, in a
        // folder only the daemon's user can read (there is no key vault on an NVR box; the folder's mode is the protection).
        var keys = Path.Combine(config.StateStore.LocalStateDir, "web-keys");
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        services.AddDataProtection()
            .SetApplicationName("homesec")
            .PersistKeysToFileSystem(new DirectoryInfo(keys));
        services.AddAntiforgery(options =>
        {
            options.HeaderName = CsrfHeader;
            options.Cookie.Name = "homesec_csrf";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "cookie or token", options =>
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        ? TokenAuthenticationHandler.SchemeName
                        : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "homesec_session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = config.Web.SessionLifetime;
                options.SlidingExpiration = true;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.AccessDeniedPath = "/login";
                options.Events.OnRedirectToLogin = context =>
                {
                    // Scripts, the video element and API clients want a status, not an HTML login page.
                    if (IsMachineRequest(context.Request))
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    }
                    else
                    {
                        context.Response.Redirect(context.RedirectUri);
                    }

                    return Task.CompletedTask;
                };
            })
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build())
            .AddPolicy(HealthPolicy, policy => policy.RequireAssertion(context => context.Resource switch
            {
                _ when context.User.Identity?.IsAuthenticated == true => true,
                HttpContext http => config.Web.HealthAccess switch
                {
                    OpenEndpointAccess.Open => true,
                    OpenEndpointAccess.Loopback => http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address),
                    _ => false,
                },
                _ => config.Web.HealthAccess == OpenEndpointAccess.Open,
            }).AddAuthenticationSchemes(Scheme));
        return services;
    }

    public static bool IsMachineRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/media") || request.Path.StartsWithSegments("/review") ||
        request.Path.StartsWithSegments("/health") || request.Path.StartsWithSegments("/metrics") ||
        request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A browser's session cookie goes along with any request to this host, so a change made through the JSON API with
    /// a cookie (not a token) must also carry the page's CSRF token in <see cref="CsrfHeader"/>. Forms are checked by
    /// the antiforgery middleware itself.
    /// </summary>
    public static IApplicationBuilder UseApiCsrfCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var unsafeMethod = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method);
        if (unsafeMethod && context.Request.Path.StartsWithSegments("/api") && !context.Request.HasFormContentType &&
            context.User.FindFirst(ViaClaim)?.Value != TokenAuthenticationHandler.SchemeName && context.User.Identity?.IsAuthenticated == true)
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new { error = $"a change through the API with a session cookie needs the page's {CsrfHeader} header" });
                return;
            }
        }

        await next(context);
    });
}
