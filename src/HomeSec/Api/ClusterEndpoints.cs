using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Api;

/// <summary>
/// <c>GET /health/cluster</c>: the cluster as this node sees it (members with address, roles, status and reachability,
/// the leader, this node). Read-only, so on the health port like <c>/health</c>; <c>homesec inspect cluster</c> prints it.
/// Read from the cluster extension's own state snapshot, which is safe from any thread: no actor is asked.
/// </summary>
public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/cluster", (ActorSystem system) => Results.Json(View(system))).RequireAuthorization(Web.Auth.WebAuth.HealthPolicy); // read-only, like /health
        return endpoints;
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
