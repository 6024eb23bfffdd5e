using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Chas.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

public static class TasksApi
{
    public static IEndpointRouteBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/api/v1/tasks").WithTags("Tasks");

        tasks.MapPost("/", CreateAsync).RequireAuthorization(Policies.User)
            .Accepts<CreateTaskRequest>("application/json")
            .Produces<TaskResource>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create a task: a container run to completion.");
        tasks.MapGet("/", ListAsync).RequireAuthorization(Policies.Agent)
            .Produces<ResourceList<TaskResource>>().WithSummary("List tasks, optionally only those bound to one node (?node=).");
        tasks.MapGet("/{name}", GetAsync).RequireAuthorization(Policies.Agent)
            .Produces<TaskResource>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Get one task.");
        tasks.MapPost("/{name}/stop", StopAsync).RequireAuthorization(Policies.User)
            .Produces<TaskResource>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Stop a task (its container gets SIGTERM, then SIGKILL).");
        tasks.MapDelete("/{name}", DeleteAsync).RequireAuthorization(Policies.User)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Remove a task and its container. A task that still runs needs ?force=true.");
        tasks.MapPut("/{name}/status", ReportStatusAsync).RequireAuthorization(Policies.Agent)
            .Accepts<TaskStatusReport>("application/json")
            .Produces<TaskResource>().ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Agents report what happened to a task's container.");
        tasks.MapGet("/{name}/logs", TaskLogs.ProxyAsync).RequireAuthorization(Policies.User)
            .Produces<string>(StatusCodes.Status200OK, "text/plain").ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("The task's container output, through its node's agent (?follow=true&tail=N&timestamps=true).");
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, TaskStore store, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, ChasJsonContext.Default.CreateTaskRequest);
        if (problem is not null) return problem;
        var errors = Validate.Task(body!);
        if (!errors.IsEmpty) return Problems.Validation(errors);

        var task = new TaskResource
        {
            Name = body!.Name!,
            Namespace = body.Namespace ?? RequestContext.NamespaceOf(request),
            Uid = Guid.NewGuid().ToString("N"),
            Image = body.Image!,
            Command = body.Command ?? [],
            Env = body.Env ?? new Dictionary<string, string>(),
            CpuMillis = body.CpuMillis ?? 0,
            MemoryBytes = body.MemoryBytes ?? 0,
            Ports = body.Ports ?? [],
            Gpus = body.Gpus ?? 0,
            GpuIndices = body.GpuIndices ?? [],
            NodeSelector = body.NodeSelector ?? new Dictionary<string, string>(),
            Strategy = body.Strategy ?? PlacementStrategyName.Spread,
            RestartPolicy = body.RestartPolicy ?? RestartPolicy.Never,
            MaxRestarts = body.MaxRestarts,
            Status = TaskPhase.Pending,
            Reason = "waiting for the scheduler",
            CreatedAt = time.GetUtcNow(),
        };
        try
        {
            var created = await store.CreateAsync(task, request.HttpContext.RequestAborted);
            return Results.Created($"/api/v1/tasks/{created.Name}", created);
        }
        catch (ConflictException)
        {
            return Problems.Conflict($"task '{task.Name}' already exists; remove it first (chas rm {task.Name})");
        }
    }

    private static async Task<IResult> ListAsync(HttpRequest request, TaskStore store, string? node = null)
    {
        var (items, revision) = await store.ListAsync(request.HttpContext.RequestAborted);
        var ns = request.Query.ContainsKey("namespace") ? RequestContext.NamespaceOf(request) : null;
        var filtered = items
            .Where(t => node is null || t.Node == node)
            .Where(t => ns is null || t.Namespace == ns)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        return Results.Ok(new ResourceList<TaskResource> { Items = filtered, Revision = revision });
    }

    private static async Task<IResult> GetAsync(string name, HttpRequest request, TaskStore store)
    {
        var task = await store.GetAsync(RequestContext.NamespaceOf(request), name, request.HttpContext.RequestAborted);
        return task is null ? Problems.NotFound("task", name) : Results.Ok(task);
    }

    private static async Task<IResult> StopAsync(string name, HttpRequest request, TaskStore store, TimeProvider time)
    {
        var updated = await store.UpdateAsync(RequestContext.NamespaceOf(request), name, task =>
            task.Status.IsTerminal() || task.StopRequested ? null
            : task.Status == TaskPhase.Pending ? TaskTransitions.StopUnstarted(task, time.GetUtcNow())
            : task with { StopRequested = true }, request.HttpContext.RequestAborted);
        return updated is null ? Problems.NotFound("task", name) : Results.Ok(updated);
    }

    private static async Task<IResult> DeleteAsync(string name, HttpRequest request, TaskStore store, bool force = false)
    {
        var ns = RequestContext.NamespaceOf(request);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var task = await store.GetAsync(ns, name, request.HttpContext.RequestAborted);
            if (task is null) return Problems.NotFound("task", name);
            if (!task.Status.IsTerminal() && task.Status != TaskPhase.Pending && !force)
                return Problems.Conflict($"task '{name}' is {task.Status.ToWire()}; stop it first (chas stop {name}) or remove it anyway (chas rm --force {name})");
            try
            {
                // The node's agent sees the deletion through its watch and removes the container.
                await store.DeleteAsync(task, request.HttpContext.RequestAborted);
                return Results.NoContent();
            }
            catch (ConflictException)
            {
                // Changed under us (e.g. it just finished): decide again on the new state.
            }
        }
        return Problems.Conflict($"task '{name}' keeps changing; try again");
    }

    private static async Task<IResult> ReportStatusAsync(string name, HttpRequest request, TaskStore store, TimeProvider time)
    {
        var (report, problem) = await JsonBody.ReadAsync(request, ChasJsonContext.Default.TaskStatusReport);
        if (problem is not null) return problem;
        var ns = RequestContext.NamespaceOf(request);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var task = await store.GetAsync(ns, name, request.HttpContext.RequestAborted);
            if (task is null) return Problems.NotFound("task", name);
            var outcome = TaskTransitions.ApplyReport(task, report!, time.GetUtcNow());
            if (outcome.ErrorStatus is { } status) return Problems.Status(status, outcome.Error!);
            if (ReferenceEquals(outcome.Updated, task)) return Results.Ok(task);
            try
            {
                return Results.Ok(await store.UpdateAsync(outcome.Updated!, request.HttpContext.RequestAborted));
            }
            catch (ConflictException)
            {
                // A concurrent stop request or heartbeat monitor wrote first: apply the report to the new state.
            }
        }
        return Problems.Conflict($"task '{name}' keeps changing; try again");
    }
}
