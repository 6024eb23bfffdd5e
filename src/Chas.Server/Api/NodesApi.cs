using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.Hosting;
using Chas.Server.State;
using Chas.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

public static class NodesApi
{
    public static IEndpointRouteBuilder MapNodesApi(this IEndpointRouteBuilder app)
    {
        var nodes = app.MapGroup("/api/v1/nodes").WithTags("Nodes");
        nodes.MapGet("/", ListAsync).RequireAccess(AccessLevel.ClusterRead)
            .Produces<ResourceList<NodeResource>>().WithSummary("List nodes with their status and what is allocated on them.");
        nodes.MapGet("/{name}", GetAsync).RequireAccess(AccessLevel.ClusterRead)
            .Produces<NodeResource>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Get one node.");
        nodes.MapPost("/{name}/join", JoinAsync).RequireAccess(AccessLevel.NodeJoin)
            .Produces<NodeCredential>().ProducesValidationProblem()
            .WithSummary("Trade the cluster's join token for the node's own credential, which the agent uses from then on.");
        nodes.MapPost("/", RegisterAsync).RequireAccess(AccessLevel.NodeReport)
            .Accepts<RegisterNodeRequest>("application/json").Produces<NodeResource>().ProducesValidationProblem()
            .WithSummary("An agent joins (or re-joins) the cluster with its capacity. The node becomes ready with its first heartbeat.");
        nodes.MapPost("/{name}/heartbeat", HeartbeatAsync).RequireAccess(AccessLevel.NodeSelf)
            .Accepts<HeartbeatRequest>("application/json").Produces<NodeResource>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("An agent says it is alive; a notready node becomes ready again.");
        nodes.MapPost("/{name}/cordon", (string name, HttpContext c, NodeStore s) => SetSchedulingAsync(name, c, s, unschedulable: true, draining: false))
            .RequireAccess(AccessLevel.ClusterOperate).Produces<NodeResource>().WithSummary("Stop placing new work on the node; what runs there stays.");
        nodes.MapPost("/{name}/uncordon", (string name, HttpContext c, NodeStore s) => SetSchedulingAsync(name, c, s, unschedulable: false, draining: false))
            .RequireAccess(AccessLevel.ClusterOperate).Produces<NodeResource>().WithSummary("Place new work on the node again.");
        nodes.MapPost("/{name}/drain", (string name, HttpContext c, NodeStore s) => SetSchedulingAsync(name, c, s, unschedulable: true, draining: true))
            .RequireAccess(AccessLevel.ClusterOperate).Produces<NodeResource>()
            .WithSummary("Cordon the node and move its deployment instances elsewhere one by one, each replacement ready before the old one stops.");
        nodes.MapDelete("/{name}", RemoveAsync).RequireAccess(AccessLevel.ClusterOperate)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Forget a node that is gone for good: only a notready node with no work bound to it. Its agent, if it ever comes back, joins again.");
        return app;
    }

    /// <summary>
    /// `kubectl delete node` / `nomad node purge`: a decommissioned machine would otherwise stay in the list as
    /// notready for ever. A node still answering, or still holding work the controllers have not yet moved or
    /// marked lost, is refused: removing it would hide that work from them.
    /// </summary>
    private static async Task<IResult> RemoveAsync(string name, HttpContext context, NodeStore nodes, ClusterCache cache, IObjectStore store,
        TimeProvider time, NodeLiveness liveness)
    {
        var ct = context.RequestAborted;
        var node = await nodes.GetAsync(name, ct);
        if (node is null) return Problems.NotFound("node", name);
        if (node.Status == NodeStatus.Ready)
            return Problems.Conflict($"node '{name}' is ready: stop its agent first (chas node drain {name} moves its work away); a node can be removed once it is notready");
        await cache.CatchUpAsync(store.CurrentRevision, time, ct);
        var bound = cache.BoundTasks().Count(t => t.Node == name);
        if (bound > 0)
            return Problems.Conflict($"node '{name}' still has {bound} task(s) bound to it; they are replaced or marked lost once it has been silent past the heartbeat timeout");
        try
        {
            await nodes.DeleteAsync(node, ct);
        }
        catch (ConflictException)
        {
            return Problems.Conflict($"node '{name}' changed meanwhile (its agent came back?); try again");
        }
        liveness.Forget(name);
        return Results.NoContent();
    }

    private static async Task<IResult> SetSchedulingAsync(string name, HttpContext context, NodeStore nodes, bool unschedulable, bool draining)
    {
        var node = await nodes.UpdateAsync(name, n => n.Unschedulable == unschedulable && n.Draining == draining ? null
            : n with { Unschedulable = unschedulable, Draining = draining }, context.RequestAborted);
        return node is null ? Problems.NotFound("node", name) : Results.Ok(node);
    }

    private static async Task<IResult> ListAsync(HttpContext context, NodeStore nodes, ClusterCache cache, IObjectStore store, TimeProvider time, NodeLiveness liveness)
    {
        var ct = context.RequestAborted;
        var (items, revision) = await nodes.ListAsync(ct);
        var allocations = await AllocationsAsync(cache, store, time, ct);
        var result = items
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .Select(n => Present(n, allocations, liveness))
            .ToList();
        return Results.Ok(new ResourceList<NodeResource> { Items = result, Revision = revision });
    }

    private static async Task<IResult> GetAsync(string name, HttpContext context, NodeStore nodes, ClusterCache cache, IObjectStore store, TimeProvider time,
        NodeLiveness liveness)
    {
        var node = await nodes.GetAsync(name, context.RequestAborted);
        if (node is null) return Problems.NotFound("node", name);
        return Results.Ok(Present(node, await AllocationsAsync(cache, store, time, context.RequestAborted), liveness));
    }

    /// <summary>
    /// What each node's bound work takes, from the cluster cache once it has caught up with the store (so a
    /// bind just committed counts), not by parsing every task from the store on each request: the
    /// dashboard's nodes page asks every few seconds.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, NodeAllocation>> AllocationsAsync(ClusterCache cache, IObjectStore store, TimeProvider time,
        CancellationToken ct)
    {
        await cache.CatchUpAsync(store.CurrentRevision, time, ct);
        return NodeAllocations.Compute(cache.BoundTasks());
    }

    private static NodeResource Present(NodeResource node, IReadOnlyDictionary<string, NodeAllocation> allocations, NodeLiveness liveness) =>
        node with
        {
            Allocated = allocations.GetValueOrDefault(node.Name) ?? new NodeAllocation(),
            LastHeartbeat = liveness.LastSeen(node.Name),
        };

    private static IResult JoinAsync(string name, ServerSecrets secrets)
    {
        var errors = new ValidationErrors();
        Validate.Name(errors, "name", name);
        return errors.IsEmpty
            ? Results.Ok(new NodeCredential { Node = name, Credential = OpaqueTokens.NodeCredential(secrets.NodeCredentialKey, name) })
            : Problems.Validation(errors);
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, NodeStore nodes, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync<RegisterNodeRequest>(context.Request);
        if (problem is not null) return problem;
        var errors = Validate.Node(body!);
        if (!errors.IsEmpty) return Problems.Validation(errors);
        var caller = RequestContext.CallerOf(context);
        if (caller.Kind == CallerKind.Node && caller.Node != body!.Name)
            return Problems.Status(StatusCodes.Status403Forbidden, $"this credential belongs to node '{caller.Node}', not '{body.Name}'");

        var now = time.GetUtcNow();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var existing = await nodes.GetAsync(body!.Name!, context.RequestAborted);
            var node = (existing ?? new NodeResource
            {
                Name = body.Name!,
                Uid = Guid.NewGuid().ToString("N"),
                RegisteredAt = now,
                Status = NodeStatus.NotReady,
                Reason = "registered; waiting for the first heartbeat",
            }) with
            {
                Address = body.Address!,
                Hostname = body.Hostname ?? body.Name!,
                AgentUrl = body.AgentUrl!,
                Labels = body.Labels ?? new Dictionary<string, string>(),
                Capacity = body.Capacity!,
                Reserved = body.Reserved ?? ResourceAmounts.Zero,
                Gpus = body.Gpus ?? [],
                PortRange = body.PortRange ?? new PortRange(20000, 29999),
                Runtime = body.Runtime ?? "",
                AgentVersion = body.AgentVersion ?? "",
            };
            try
            {
                var saved = existing is null ? await nodes.CreateAsync(node, context.RequestAborted) : await nodes.UpdateAsync(node, context.RequestAborted);
                return Results.Ok(saved);
            }
            catch (ConflictException)
            {
                // Registered twice at once, or a heartbeat raced us: read again.
            }
        }
        return Problems.Conflict($"node '{body!.Name}' keeps changing; try again");
    }

    private static async Task<IResult> HeartbeatAsync(string name, HttpContext context, NodeStore nodes, NodeLiveness liveness, ClusterCache cache)
    {
        // The common case, a ready node saying it is still there, touches no storage at all: at
        // thousands of nodes a heartbeat must cost next to nothing.
        if (cache.Node(name) is { Status: NodeStatus.Ready } cached)
        {
            await liveness.HeartbeatAsync(name, context.RequestAborted);
            return Results.Ok(cached with { LastHeartbeat = liveness.LastSeen(name) });
        }
        // Record liveness first: even if the store write below races, the monitor sees a fresh heartbeat.
        var exists = await nodes.GetAsync(name, context.RequestAborted);
        if (exists is null) return Problems.NotFound("node", name);
        await liveness.HeartbeatAsync(name, context.RequestAborted);
        var node = await nodes.UpdateAsync(name, n => n.Status == NodeStatus.Ready ? null : n with { Status = NodeStatus.Ready, Reason = null },
            context.RequestAborted);
        return node is null ? Problems.NotFound("node", name) : Results.Ok(node with { LastHeartbeat = liveness.LastSeen(name) });
    }
}
