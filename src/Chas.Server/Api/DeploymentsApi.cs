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

public static class DeploymentsApi
{
    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/deployments").WithTags("Deployments").RequireAccess(AccessLevel.NamespaceWrite);
        group.MapGet("/", ListAsync).RequireAccess(AccessLevel.NamespaceList).Produces<ResourceList<DeploymentResource>>().WithSummary("List deployments.");
        group.MapGet("/{name}", GetAsync).RequireAccess(AccessLevel.NamespaceRead).Produces<DeploymentResource>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Get one deployment.");
        group.MapPut("/{name}", ApplyAsync).Accepts<ApplyDeploymentRequest>("application/json")
            .Produces<DeploymentResource>().ProducesValidationProblem()
            .WithSummary("Create or update a deployment. A changed template starts a rolling update to a new revision.");
        group.MapPost("/{name}/scale", ScaleAsync).Accepts<ScaleRequest>("application/json")
            .Produces<DeploymentResource>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Change the number of replicas.");
        group.MapPost("/{name}/rollout/undo", UndoAsync)
            .Produces<DeploymentResource>().ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Roll back to the previous revision's template.");
        group.MapDelete("/{name}", DeleteAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Remove a deployment; its instances are stopped (drained out of the ingress first) and then forgotten.");
        group.MapPost("/{name}/approve", (string name, HttpContext c, DeploymentStore s, TimeProvider t) => DecideAsync(name, c, s, t, approve: true))
            .RequireAccess(AccessLevel.NamespaceApprove).Produces<DeploymentResource>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Approve a deployment waiting for approval: its instances start.");
        group.MapPost("/{name}/reject", (string name, HttpContext c, DeploymentStore s, TimeProvider t) => DecideAsync(name, c, s, t, approve: false))
            .RequireAccess(AccessLevel.NamespaceApprove).Accepts<RejectRequest>("application/json").Produces<DeploymentResource>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Reject a deployment waiting for approval: no instance of the held revision starts.");
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, DeploymentStore store)
    {
        var (items, revision) = await store.ListAsync(request.HttpContext.RequestAborted);
        return Results.Ok(new ResourceList<DeploymentResource>
        {
            Items = items.Where(d => RequestContext.Lists(request, d.Namespace)).OrderBy(d => d.Name, StringComparer.Ordinal).ToList(),
            Revision = revision,
        });
    }

    private static async Task<IResult> GetAsync(string name, HttpRequest request, DeploymentStore store)
    {
        var deployment = await store.GetAsync(RequestContext.NamespaceOf(request), name, request.HttpContext.RequestAborted);
        return deployment is null ? Problems.NotFound("deployment", name) : Results.Ok(deployment);
    }

    private static async Task<IResult> ApplyAsync(string name, HttpRequest request, DeploymentStore store, WorkloadAdmission admission,
        ClusterCache cache, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync<ApplyDeploymentRequest>(request);
        if (problem is not null) return problem;
        if (body!.Name is not null && body.Name != name) return Problems.Field("name", $"'{body.Name}' does not match the URL's '{name}'");
        body = body with { Name = name };
        var errors = Validate.Deployment(body);
        if (!errors.IsEmpty) return Problems.Validation(errors);

        var template = DeploymentRevisions.TemplateOf(body);
        var claim = new WorkloadClaim
        {
            Namespace = body.Namespace, Privileged = body.Privileged == true, Hosts = body.Ingress?.Hosts ?? [],
            CpuMillis = template.CpuMillis, MemoryBytes = template.MemoryBytes, Gpus = template.Gpus,
        };
        var (admitted, refusal) = await admission.AdmitAsync(request.HttpContext, claim);
        if (refusal is not null) return refusal;
        var ct = request.HttpContext.RequestAborted;
        var existing = await store.GetAsync(admitted!.Namespace, name, ct);
        if (existing is not null && body.Mode is { } mode && mode != existing.Mode)
            return Problems.Field("mode", $"deployment '{name}' is {existing.Mode.ToWire()}, and a deployment's mode cannot change: delete it and apply again");
        if (existing?.Mode == DeploymentMode.System && body.Mode is null)
        {
            // An update that leaves the mode out keeps it, and is checked as what it is.
            body = body with { Mode = DeploymentMode.System };
            errors = Validate.Deployment(body);
            if (!errors.IsEmpty) return Problems.Validation(errors);
        }
        // A system deployment will run on every matching node: that is what its quota claim counts.
        var replicas = body.Mode == DeploymentMode.System
            ? SystemDeployments.NodesFor(template, cache.Nodes()).Count
            : body.Replicas ?? existing?.Replicas ?? 1;
        return await admission.WithinQuotaAsync(admitted!, claim, replicas, replacingDeployment: name,
            () => CreateOrUpdateAsync(name, body, template, admitted!, store, time, ct), ct);
    }

    private static async Task<IResult> CreateOrUpdateAsync(string name, ApplyDeploymentRequest body, WorkloadTemplate template, AdmittedWorkload admitted,
        DeploymentStore store, TimeProvider time, CancellationToken ct)
    {
        var ns = admitted.Namespace;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var now = time.GetUtcNow();
            var existing = await store.GetAsync(ns, name, ct);
            try
            {
                if (existing is null)
                {
                    var fresh = DeploymentRevisions.New(name, ns, body, template, now);
                    if (admitted.NeedsApproval) fresh = fresh with { Approval = Approvals.Pending, RolloutMessage = $"waiting for an operator's approval: chas approve {name} -n {ns}" };
                    var created = await store.CreateAsync(fresh, ct);
                    return Results.Created($"/api/v1/deployments/{name}", created);
                }
                var updated = DeploymentRevisions.Apply(existing, body, template, now);
                // A new revision that needs approval waits for it; the running revision keeps serving meanwhile.
                if (admitted.NeedsApproval && updated.Revision != existing.Revision)
                    updated = updated with { Approval = Approvals.Pending, RolloutMessage = $"revision {updated.Revision} waits for an operator's approval: chas approve {name} -n {ns}" };
                return Results.Ok(updated == existing ? existing : await store.UpdateAsync(updated, ct));
            }
            catch (ConflictException)
            {
                // Created or changed concurrently (often by the controller's status write): apply again on the new state.
            }
        }
        return Problems.Conflict($"deployment '{name}' keeps changing; try again");
    }

    private static async Task<IResult> DecideAsync(string name, HttpContext context, DeploymentStore store, TimeProvider time, bool approve)
    {
        var now = time.GetUtcNow();
        var (decision, problem) = await ApprovalDecisions.ReadAsync(context, approve, now);
        if (problem is not null) return problem;
        var waiting = true;
        var updated = await store.UpdateAsync(RequestContext.NamespaceOf(context.Request), name, d =>
        {
            waiting = d.Approval?.State == ApprovalState.Pending;
            if (!waiting) return null;
            return d with
            {
                Approval = decision,
                RolloutMessage = approve ? $"revision {d.Revision}: approved by {decision!.By}" : $"revision {d.Revision}: rejected by {decision!.By}: {decision.Reason}",
                RolloutStatus = approve ? RolloutStates.Progressing : RolloutStates.Failed,
                RolloutStartedAt = approve ? now : d.RolloutStartedAt,
            };
        }, context.RequestAborted);
        if (updated is null) return Problems.NotFound("deployment", name);
        return waiting ? Results.Ok(updated) : Problems.Conflict($"deployment '{name}' is not waiting for approval");
    }

    private static async Task<IResult> ScaleAsync(string name, HttpRequest request, DeploymentStore store, WorkloadAdmission admission)
    {
        var (body, problem) = await JsonBody.ReadAsync<ScaleRequest>(request);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        Validate.Scale(errors, body!.Replicas);
        if (!errors.IsEmpty) return Problems.Validation(errors);
        var ns = RequestContext.NamespaceOf(request);
        var ct = request.HttpContext.RequestAborted;
        var current = await store.GetAsync(ns, name, ct);
        if (current is null) return Problems.NotFound("deployment", name);
        if (current.Mode == DeploymentMode.System) return Problems.Field("replicas", Validate.SystemReplicas);
        return await admission.RescaleWithinQuotaAsync(ns, name, current.Template, body.Replicas!.Value, async () =>
        {
            var updated = await store.UpdateAsync(ns, name, d => d.Replicas == body.Replicas ? null : d with { Replicas = body.Replicas!.Value }, ct);
            return updated is null ? Problems.NotFound("deployment", name) : Results.Ok(updated);
        }, ct);
    }

    private static async Task<IResult> UndoAsync(string name, HttpRequest request, DeploymentStore store, TimeProvider time)
    {
        string? refusal = null;
        var updated = await store.UpdateAsync(RequestContext.NamespaceOf(request), name, d =>
        {
            var previous = DeploymentRevisions.Previous(d);
            if (previous is null)
            {
                refusal = $"deployment '{name}' has no earlier revision to return to";
                return null;
            }
            return DeploymentRevisions.NewRevision(d, previous.Template, time.GetUtcNow(), $"rolled back to the template of revision {previous.Revision}");
        }, request.HttpContext.RequestAborted);
        if (updated is null) return Problems.NotFound("deployment", name);
        return refusal is null ? Results.Ok(updated) : Problems.Conflict(refusal);
    }

    private static async Task<IResult> DeleteAsync(string name, HttpRequest request, DeploymentStore store)
    {
        var ns = RequestContext.NamespaceOf(request);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var deployment = await store.GetAsync(ns, name, request.HttpContext.RequestAborted);
            if (deployment is null) return Problems.NotFound("deployment", name);
            try
            {
                // The deployment controller then stops its instances (drained out of the ingress first)
                // and forgets them once they have ended.
                await store.DeleteAsync(deployment, request.HttpContext.RequestAborted);
                return Results.NoContent();
            }
            catch (ConflictException)
            {
                // Its status changed meanwhile: read again.
            }
        }
        return Problems.Conflict($"deployment '{name}' keeps changing; try again");
    }
}
