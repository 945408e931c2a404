using HomeSec.Core.Alerts.Gate;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Api;

/// <summary>
/// The armed mode: <c>GET /api/mode</c> → <c>{"mode": "home"}</c>; <c>PUT /api/mode</c> with <c>{"mode": "away"}</c> sets and
/// saves it (400 for a mode that does not exist, 500 when it cannot be saved).
/// </summary>
public static class ModeEndpoints
{
    public sealed record ModeBody(string? Mode);

    public static IEndpointRouteBuilder MapModeEndpoints(this IEndpointRouteBuilder endpoints, AlertGate gate)
    {
        endpoints.MapGet("/api/mode", () => Results.Json(new { mode = gate.Mode.ToWireName(), allowed = ArmedModes.ByWireName.Keys }));
        endpoints.MapPut("/api/mode", (ModeBody? body) =>
        {
            if (!ArmedModes.TryParse(body?.Mode, out var mode))
            {
                return Results.BadRequest(new { error = $"mode: '{body?.Mode}' is not allowed; allowed: {string.Join(", ", ArmedModes.ByWireName.Keys)}" });
            }

            try
            {
                gate.SetMode(mode);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Results.Json(new { error = $"the mode could not be saved ({ex.Message}); it is unchanged" }, statusCode: StatusCodes.Status500InternalServerError);
            }

            return Results.Json(new { mode = mode.ToWireName() });
        });
        return endpoints;
    }
}
