using System.Globalization;
using System.Security.Claims;
using HomeSec.Core.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace HomeSec.Web.Auth;

/// <summary><c>POST /login</c> (the login page's form; throttled) and <c>POST /logout</c>.</summary>
public static class AuthEndpoints
{
    public sealed record LoginForm(string? User, string? Password, string? ReturnUrl);

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/login", LoginAsync).AllowAnonymous();
        endpoints.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        });
        return endpoints;
    }

    private static async Task<IResult> LoginAsync(
        [FromForm] LoginForm form, HttpContext context, Credentials credentials, LoginThrottle throttle, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger("HomeSec.Web.Login");
        var user = (form.User ?? "").Trim();
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var returnUrl = SafeReturnUrl(form.ReturnUrl);
        if (throttle.RetryAfter(user, address) is { } wait)
        {
            log.LogWarning("Login refused for {User} from {Address}: too many failed logins, locked for {Seconds:0} s", Printable(user), address, wait.TotalSeconds);
            context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Results.Redirect($"/login?error=throttled&wait={Math.Ceiling(wait.TotalSeconds):0}&returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        if (user.Length == 0 || form.Password is not { Length: > 0 } password || credentials.CheckPassword(user, password) is not { } name)
        {
            throttle.Failed(user, address);
            log.LogWarning("Failed login for {User} from {Address}", Printable(user), address);
            return Results.Redirect($"/login?error=bad&returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        throttle.Succeeded(name);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(WebAuth.ViaClaim, CookieAuthenticationDefaults.AuthenticationScheme)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = true });
        log.LogInformation("{User} logged in from {Address}", name, address);
        return Results.Redirect(returnUrl);
    }

    /// <summary>Only a path on this site: an open redirect would let a phishing link log people in and send them elsewhere.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";

    /// <summary>A user name as typed by anybody, safe for one log line.</summary>
    private static string Printable(string text) =>
        new(text.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
