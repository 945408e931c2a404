using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace HomeSec.Api;

/// <summary>
/// <c>GET /health/cluster</c>: the cluster as this node sees it (members with address, roles, status and reachability,
/// the leader, this node, and since when each member is up as this node saw it). Read-only, so on the health port like <c>/health</c>; <c>homesec inspect cluster</c> prints it.
/// Read from the cluster extension's own state snapshot, which is safe from any thread: no actor is asked.
/// </summary>
public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/cluster", (ActorSystem system) => Results.Json(View(system))).RequireAuthorization(Web.Auth.WebAuth.HealthPolicy); // read-only, like /health
        // Changes: the fallback policy (a session or an API token), like every other write.
        endpoints.MapPost("/api/cluster/leave", (ActorSystem system, MemberRequest? request, ILoggerFactory logs, HttpContext context) =>
            Act(system, request, MemberAction.Leave, logs, context));
        endpoints.MapPost("/api/cluster/down", (ActorSystem system, MemberRequest? request, ILoggerFactory logs, HttpContext context) =>
            Act(system, request, MemberAction.Down, logs, context));
        return endpoints;
    }

    /// <summary>The body of <c>POST /api/cluster/leave|down</c>.</summary>
    public sealed record MemberRequest(string? Address);

    private enum MemberAction
    {
        Leave,
        Down,
    }

    /// <summary>
    /// Asks a member to leave (gracefully: its frames are answered or re-sent, then it is removed) or marks it down (at once,
    /// for a member that is gone for good and unreachable). This node itself is refused: the daemon answering would stop.
    /// </summary>
    private static IResult Act(ActorSystem system, MemberRequest? request, MemberAction action, ILoggerFactory logs, HttpContext context)
    {
        var verb = action == MemberAction.Leave ? "leave" : "down";
        if (ClusterOf(system) is not { } cluster)
        {
            return Results.Json(new { error = "this daemon is not in a cluster (cluster.enabled is false)" }, statusCode: StatusCodes.Status409Conflict);
        }

        var state = cluster.State;
        var members = state.Members.Concat(state.Unreachable).DistinctBy(m => m.UniqueAddress).ToList();
        switch (Core.Cluster.MemberLookup.Resolve(members.Select(m => m.Address.ToString()).ToList(), request?.Address))
        {
            case Core.Cluster.MemberLookup.NotAnAddress notAnAddress:
                return Results.Json(new { error = notAnAddress.Problem }, statusCode: StatusCodes.Status400BadRequest);
            case Core.Cluster.MemberLookup.NotAMember notAMember:
                return Results.Json(new { error = notAMember.Problem }, statusCode: StatusCodes.Status404NotFound);
            case Core.Cluster.MemberLookup.Found found:
                var member = members.First(m => m.Address.ToString() == found.Address);
                if (member.Address == cluster.SelfAddress)
                {
                    return Results.Json(new
                    {
                        error = $"{found.Address} is the node answering this request: a {verb} would stop this daemon; ask another node, or stop this one (systemctl stop homesec, docker compose stop)",
                    }, statusCode: StatusCodes.Status409Conflict);
                }

                if (action == MemberAction.Leave)
                {
                    cluster.Leave(member.Address);
                }
                else
                {
                    cluster.Down(member.Address);
                }

                logs.CreateLogger("HomeSec.Cluster").LogWarning("cluster: {User} asked {Address} to {Verb}", context.User.Identity?.Name ?? "someone", found.Address,
                    action == MemberAction.Leave ? "leave" : "be marked down");
                return Results.Json(new
                {
                    address = found.Address,
                    action = verb,
                    detail = action == MemberAction.Leave
                        ? $"{found.Address} is leaving the cluster: its frames go elsewhere, and its daemon exits (code 75) once removed; under a restart policy it joins again, so stop its service to keep it out"
                        : $"{found.Address} is marked down and removed: its frames go elsewhere at once; if it is still running, its daemon exits (code 75) when it hears, and under a restart policy joins again",
                }, statusCode: StatusCodes.Status202Accepted);
            default:
                throw new InvalidOperationException("an unknown member lookup");
        }
    }

    /// <summary>The whole view; <c>enabled: false</c> outside a cluster.</summary>
    public static object View(ActorSystem system)
    {
        if (ClusterOf(system) is not { } cluster)
        {
            return new { enabled = false };
        }

        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        var upTimes = Actors.Membership.MemberUpTimes.Get(system);
        return new
        {
            enabled = true,
            self = cluster.SelfAddress.ToString(),
            self_roles = cluster.SelfRoles.Order(StringComparer.Ordinal),
            leader = state.Leader?.ToString(),
            members = state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
                .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
                .Select(m => new
                {
                    address = m.Address.ToString(),
                    roles = m.Roles.Order(StringComparer.Ordinal),
                    status = m.Status.ToString().ToLowerInvariant(),
                    reachable = !unreachable.Contains(m.UniqueAddress),
                    up_since = upTimes.UpSince(m.UniqueAddress),
                    leader = m.Address == state.Leader,
                    self = m.Address == cluster.SelfAddress,
                }),
        };
    }

    /// <summary>For <c>/health</c>: how many members, how many unreachable, who leads.</summary>
    public static object Summary(ActorSystem system)
    {
        if (ClusterOf(system) is not { } cluster)
        {
            return new { enabled = false };
        }

        var state = cluster.State;
        return new
        {
            enabled = true,
            self = cluster.SelfAddress.ToString(),
            members = state.Members.Count,
            unreachable = state.Unreachable.Count,
            leader = state.Leader?.ToString(),
        };
    }

    /// <summary>Null outside a cluster: asking for the extension there would fail (the provider is not the cluster's).</summary>
    private static Cluster? ClusterOf(ActorSystem system) =>
        ((ExtendedActorSystem)system).Provider is Akka.Cluster.ClusterActorRefProvider ? Cluster.Get(system) : null;
}
