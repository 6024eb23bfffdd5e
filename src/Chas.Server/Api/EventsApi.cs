using System.Globalization;
using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>
/// GET /api/v1/events: what happened to tasks, nodes and deployments, oldest first, with the revision
/// to watch from (GET /api/v1/watch?kind=events). POST: agents add what only they see (Pulled, BackOff).
/// Node events are cluster-wide: every signed-in caller sees them, as everyone may read nodes.
/// </summary>
public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/events", List).RequireAccess(AccessLevel.NamespaceList).WithTags("Events")
            .Produces<ResourceList<EventResource>>().ProducesValidationProblem()
            .WithSummary("Events of one namespace (?namespace=) or of all the caller can see, oldest first; ?name= (a deployment's name also gives its instances'), ?kind=task|node|deployment, ?since=ISO-8601.");
        app.MapPost("/api/v1/events", ReportAsync).RequireAccess(AccessLevel.NodeReport).WithTags("Events")
            .Accepts<EventResource>("application/json").Produces(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("An agent reports an event about a task bound to its node (Pulled, BackOff, Unhealthy, Killed).");
        return app;
    }

    private static async Task<IResult> List(HttpContext context, EventLog events, string? name, string? kind, string? since)
    {
        // ?node=SELF lets an agent past NamespaceList for its own tasks; events are not an agent's business.
        if (RequestContext.CallerOf(context).Kind != CallerKind.User) return Problems.Status(StatusCodes.Status403Forbidden, "only people may list events");
        if (kind is not (null or EventKinds.Task or EventKinds.Node or EventKinds.Deployment)) return Problems.Field("kind", "must be 'task', 'node' or 'deployment'");
        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                return Problems.Field("since", "must be an ISO 8601 time, e.g. 2026-11-23T08:00:00Z");
            from = parsed;
        }
        var list = await events.ListAsync(context.RequestAborted);
        var items = list.Items.Where(e => Visible(context.Request, e) && Matches(e, name, kind) && (from is null || e.Time >= from)).ToList();
        return Results.Ok(list with { Items = items });
    }

    /// <summary>Namespaced events only to those who may list their namespace; node events to everyone.</summary>
    internal static bool Visible(HttpRequest request, EventResource ev) => ev.Namespace is null || RequestContext.Lists(request, ev.Namespace);

    internal static bool Matches(EventResource ev, string? name, string? kind) =>
        (kind is null || ev.Kind == kind) && (name is null || ev.Name == name || ev.Deployment == name);

    private static async Task<IResult> ReportAsync(HttpRequest request, EventLog events, TaskStore tasks)
    {
        var (body, problem) = await JsonBody.ReadAsync<EventResource>(request);
        if (problem is not null) return problem;
        if (!EventReasons.FromAgents.Contains(body!.Reason))
            return Problems.Field("reason", $"must be one of {string.Join(", ", EventReasons.FromAgents.Order(StringComparer.Ordinal))}");
        if (body.Kind != EventKinds.Task) return Problems.Field("kind", "agents report events about tasks only ('task')");
        if (string.IsNullOrEmpty(body.Name)) return Problems.Field("name", "is required: the task's name");
        if (body.Message.Length > 1000) return Problems.Field("message", "must have at most 1000 characters");
        if (body.Type is not (EventTypes.Normal or EventTypes.Warning)) return Problems.Field("type", "must be 'normal' or 'warning'");
        var ns = body.Namespace ?? RequestContext.NamespaceOf(request);
        var task = await tasks.GetAsync(ns, body.Name, request.HttpContext.RequestAborted);
        if (task is null) return Problems.NotFound("task", body.Name);
        var caller = RequestContext.CallerOf(request.HttpContext);
        if (caller.Kind == CallerKind.Node && task.Node != caller.Node)
            return Problems.Status(StatusCodes.Status403Forbidden, $"task '{body.Name}' is not bound to node '{caller.Node}'");
        events.RecordTask(task, body.Reason, body.Message, warning: body.Type == EventTypes.Warning);
        return Results.Accepted();
    }
}
