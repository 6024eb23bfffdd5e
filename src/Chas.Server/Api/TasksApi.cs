using Chas.Contracts;
using Chas.Server.Application;
using Chas.Server.Auth;
using Chas.Server.State;
using Chas.Server.Tenancy;
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

        tasks.MapPost("/", CreateAsync).RequireAccess(AccessLevel.NamespaceWrite)
            .Accepts<CreateTaskRequest>("application/json")
            .Produces<TaskResource>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Create a task: a container run to completion. It waits in pending-approval when its namespace asks approval for such work.");
        tasks.MapGet("/", ListAsync).RequireAccess(AccessLevel.NamespaceList)
            .Produces<ResourceList<TaskResource>>().WithSummary("List tasks of one namespace (?namespace=) or of all the caller can see, optionally only those bound to one node (?node=).");
        tasks.MapGet("/{name}", GetAsync).RequireAccess(AccessLevel.NamespaceRead)
            .Produces<TaskResource>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Get one task.");
        tasks.MapPost("/{name}/stop", StopAsync).RequireAccess(AccessLevel.NamespaceWrite)
            .Produces<TaskResource>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Stop a task (its container gets SIGTERM, then SIGKILL).");
        tasks.MapDelete("/{name}", DeleteAsync).RequireAccess(AccessLevel.NamespaceWrite)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Remove a task and its container. A task that still runs needs ?force=true.");
        tasks.MapPut("/{name}/status", ReportStatusAsync).RequireAccess(AccessLevel.NodeReport)
            .Accepts<TaskStatusReport>("application/json")
            .Produces<TaskResource>().ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Agents report what happened to a task's container.");
        tasks.MapGet("/{name}/logs", TaskLogs.ProxyAsync).RequireAccess(AccessLevel.NamespaceRead)
            .Produces<string>(StatusCodes.Status200OK, "text/plain").ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("The task's container output, through its node's agent (?follow=true&tail=N&timestamps=true).");
        tasks.MapPost("/{name}/approve", (string name, HttpContext c, TaskStore s, TimeProvider t) => DecideAsync(name, c, s, t, approve: true))
            .RequireAccess(AccessLevel.NamespaceApprove).Produces<TaskResource>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Approve a task waiting in pending-approval: it goes to the scheduler.");
        tasks.MapPost("/{name}/reject", (string name, HttpContext c, TaskStore s, TimeProvider t) => DecideAsync(name, c, s, t, approve: false))
            .RequireAccess(AccessLevel.NamespaceApprove).Accepts<RejectRequest>("application/json").Produces<TaskResource>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Reject a task waiting in pending-approval: it fails with the reason given.");
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, TaskStore store, WorkloadAdmission admission, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateTaskRequest>(request);
        if (problem is not null) return problem;
        var errors = Validate.Task(body!);
        if (!errors.IsEmpty) return Problems.Validation(errors);

        var claim = new WorkloadClaim
        {
            Namespace = body!.Namespace, Privileged = body.Privileged == true,
            CpuMillis = body.CpuMillis ?? 0, MemoryBytes = body.MemoryBytes ?? 0, Gpus = body.Gpus ?? body.GpuIndices?.Count ?? 0,
        };
        var (admitted, refusal) = await admission.AdmitAsync(request.HttpContext, claim);
        if (refusal is not null) return refusal;
        var ns = admitted!.Namespace;
        var needsApproval = admitted.NeedsApproval;
        var task = new TaskResource
        {
            Name = body.Name!,
            Namespace = ns,
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
            Privileged = body.Privileged ?? false,
            ReadOnlyRootFilesystem = body.ReadOnlyRootFilesystem ?? false,
            Approval = needsApproval ? Approvals.Pending : null,
            Status = needsApproval ? TaskPhase.PendingApproval : TaskPhase.Pending,
            Reason = needsApproval ? $"waiting for an operator's approval: chas approve {body.Name} -n {ns}" : "waiting for the scheduler",
            CreatedAt = time.GetUtcNow(),
        };
        return await admission.WithinQuotaAsync(admitted, claim, instances: 1, replacingDeployment: null, async () =>
        {
            try
            {
                var created = await store.CreateAsync(task, request.HttpContext.RequestAborted);
                return Results.Created($"/api/v1/tasks/{created.Name}", created);
            }
            catch (ConflictException)
            {
                return Problems.Conflict($"task '{task.Name}' already exists; remove it first (chas rm {task.Name})");
            }
        }, request.HttpContext.RequestAborted);
    }

    private static async Task<IResult> DecideAsync(string name, HttpContext context, TaskStore store, TimeProvider time, bool approve)
    {
        var now = time.GetUtcNow();
        var (decision, problem) = await ApprovalDecisions.ReadAsync(context, approve, now);
        if (problem is not null) return problem;
        TaskResource? before = null;
        var updated = await store.UpdateAsync(RequestContext.NamespaceOf(context.Request), name, task =>
        {
            before = task;
            if (task.Status != TaskPhase.PendingApproval) return null;
            return approve
                ? task with { Approval = decision, Status = TaskPhase.Pending, Reason = "waiting for the scheduler" }
                : task with { Approval = decision, Status = TaskPhase.Failed, Reason = $"rejected by {decision!.By}: {decision.Reason}", FinishedAt = now };
        }, context.RequestAborted);
        if (updated is null) return Problems.NotFound("task", name);
        if (before?.Status != TaskPhase.PendingApproval && updated.Approval?.By != decision!.By)
            return Problems.Conflict($"task '{name}' is {updated.Status.ToWire()}, not waiting for approval");
        return Results.Ok(updated);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, TaskStore store, string? node = null)
    {
        var (items, revision) = await store.ListAsync(request.HttpContext.RequestAborted);
        var filtered = items
            .Where(t => node is null || t.Node == node)
            .Where(t => RequestContext.Lists(request, t.Namespace))
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
            : task.Status is TaskPhase.Pending or TaskPhase.PendingApproval ? TaskTransitions.StopUnstarted(task, time.GetUtcNow())
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
            if (!task.Status.IsTerminal() && task.Status is not (TaskPhase.Pending or TaskPhase.PendingApproval) && !force)
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

    private static async Task<IResult> ReportStatusAsync(string name, HttpRequest request, TaskStore store, EventLog events, TimeProvider time)
    {
        var (report, problem) = await JsonBody.ReadAsync<TaskStatusReport>(request);
        if (problem is not null) return problem;
        var ns = RequestContext.NamespaceOf(request);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var task = await store.GetAsync(ns, name, request.HttpContext.RequestAborted);
            if (task is null) return Problems.NotFound("task", name);
            var caller = RequestContext.CallerOf(request.HttpContext);
            if (caller.Kind == CallerKind.Node && task.Node != caller.Node)
                return Problems.Status(StatusCodes.Status403Forbidden, $"task '{name}' is not bound to node '{caller.Node}'");
            var outcome = TaskTransitions.ApplyReport(task, report!, time.GetUtcNow());
            if (outcome.ErrorStatus is { } status) return Problems.Status(status, outcome.Error!);
            if (ReferenceEquals(outcome.Updated, task)) return Results.Ok(task);
            try
            {
                var updated = await store.UpdateAsync(outcome.Updated!, request.HttpContext.RequestAborted);
                foreach (var ev in TaskEvents.FromReport(task, updated)) events.RecordTask(updated, ev.Reason, ev.Message, ev.Warning);
                return Results.Ok(updated);
            }
            catch (ConflictException)
            {
                // A concurrent stop request or heartbeat monitor wrote first: apply the report to the new state.
            }
        }
        return Problems.Conflict($"task '{name}' keeps changing; try again");
    }
}
