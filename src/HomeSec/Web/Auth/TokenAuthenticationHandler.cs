using System.Security.Claims;
using System.Text.Encodings.Web;
using HomeSec.Core.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HomeSec.Web.Auth;

/// <summary><c>Authorization: Bearer hs_…</c> with a token from <c>homesec token create</c> (scripts, Home Assistant, Prometheus).</summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Credentials credentials)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "token";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (credentials.CheckToken(header["Bearer ".Length..].Trim()) is not { } name)
        {
            return Task.FromResult(AuthenticateResult.Fail("the API token is not valid"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "token:" + name), new Claim(WebAuth.ViaClaim, SchemeName)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
