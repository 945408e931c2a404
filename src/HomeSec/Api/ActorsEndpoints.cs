using System.Globalization;
using Akka.Actor;
using Akka.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HomeSec.Api;

/// <summary>
/// <c>GET /health/actors?depth=N</c>: the actor tree under <c>/user</c> and <c>/system</c>, each actor with its type, child
/// count and waiting messages, like Petabridge.Cmd's <c>actor hierarchy</c>. Read from each actor's children container (an
/// immutable snapshot the actor publishes), so no actor is asked and a busy or wedged one still shows, with its mailbox.
/// Read-only, on the health port; <c>homesec inspect actors</c> prints it.
/// </summary>
public static class ActorsEndpoints
{
    public const int DefaultDepth = 4;

    /// <summary>A clip burst can mean thousands of actors: past this many the answer lists no more (the counts stay whole).</summary>
    public const int MaxShown = 2000;

    public static IEndpointRouteBuilder MapActorsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/actors", (ActorSystem system, string? depth) =>
        {
            var levels = DefaultDepth;
            if (depth is not null && (!int.TryParse(depth, NumberStyles.None, CultureInfo.InvariantCulture, out levels) || levels > 32))
            {
                return Results.Json(new { error = $"depth '{depth}' is not allowed; give a whole number from 0 to 32" }, statusCode: StatusCodes.Status400BadRequest);
            }

            return Results.Json(Tree((ExtendedActorSystem)system, levels));
        }).RequireAuthorization(Web.Auth.WebAuth.HealthPolicy);
        return endpoints;
    }

    public static object Tree(ExtendedActorSystem system, int depth)
    {
        var budget = new Budget();
        var roots = new[] { system.Guardian, system.SystemGuardian }.Select(root => Node(root, depth, budget)).ToList();
        return new { roots, actors = budget.Counted, truncated = budget.Shown > MaxShown || budget.Cut };
    }

    private static Dictionary<string, object?> Node(IActorRef actor, int depth, Budget budget)
    {
        budget.Counted++;
        budget.Shown++;
        var children = ChildrenOf(actor);
        var node = new Dictionary<string, object?>
        {
            ["name"] = actor.Path.Name,
            ["path"] = actor.Path.ToStringWithoutAddress(),
            ["type"] = TypeOf(actor),
            ["children"] = children.Count,
            ["messages"] = actor is ActorRefWithCell { Underlying: { } cell } ? cell.NumberOfMessages : 0,
        };
        if (depth > 0 && budget.Shown <= MaxShown)
        {
            var shown = children.TakeWhile(_ => budget.Shown < MaxShown).Select(child => Node(child, depth - 1, budget)).ToList();
            node["shown"] = shown;
            if (shown.Count < children.Count)
            {
                budget.Cut = true;
                budget.Counted += Count(children.Skip(shown.Count));
            }
        }
        else if (children.Count > 0)
        {
            budget.Cut |= depth > 0;
            budget.Counted += Count(children);
        }

        return node;
    }

    private static List<IActorRef> ChildrenOf(IActorRef actor) =>
        actor is ActorRefWithCell cell ? cell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal).ToList() : [];

    /// <summary>Every actor below these (not shown, but in the total).</summary>
    private static int Count(IEnumerable<IActorRef> actors) => actors.Sum(a => 1 + Count(ChildrenOf(a)));

    private static string TypeOf(IActorRef actor)
    {
        if (actor is not ActorRefWithCell { Underlying: { } cell })
        {
            return actor.GetType().Name;
        }

        // A router's own props are a stand-in actor's: a pool's routees (its children) say what it routes to.
        var props = cell.Props;
        if (props.RouterConfig is null or NoRouter)
        {
            return props.Type?.Name ?? "?";
        }

        var routee = ChildrenOf(actor).FirstOrDefault() is ActorRefWithCell { Underlying: { } child } ? child.Props.Type?.Name : null;
        return routee is null ? props.RouterConfig.GetType().Name : $"{props.RouterConfig.GetType().Name} of {routee}";
    }

    private sealed class Budget
    {
        public int Counted { get; set; }

        public int Shown { get; set; }

        public bool Cut { get; set; }
    }
}
