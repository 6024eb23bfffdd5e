using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.Hosting;
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

    private static async Task<IResult> ApplyAsync(string name, HttpRequest request, DeploymentStore store, NamespaceStore namespaces,
        NamespaceAccess access, QuotaGate quotas, TimeProvider time, ServerOptions options)
    {
        var (body, problem) = await JsonBody.ReadAsync<ApplyDeploymentRequest>(request);
        if (problem is not null) return problem;
        if (body!.Name is not null && body.Name != name) return Problems.Field("name", $"'{body.Name}' does not match the URL's '{name}'");
        body = body with { Name = name };
        var errors = Validate.Deployment(body);
        if (!errors.IsEmpty) return Problems.Validation(errors);

        var ns = body.Namespace ?? RequestContext.NamespaceOf(request);
        var caller = RequestContext.CallerOf(request.HttpContext);
        if (ns != RequestContext.NamespaceOf(request) && await AccessMiddleware.RequireAsync(request.HttpContext, access, caller, ns, Role.User) is { } denied)
            return denied;
        if (body.Privileged == true && !caller.IsAdmin) return Problems.Status(StatusCodes.Status403Forbidden, "only admins may run privileged containers (privileged: true)");
        if (!caller.IsAdmin && body.Ingress?.Hosts.FirstOrDefault(h => !HostOwnership.IsNamespaces(h, ns, options.Domain)) is { } foreign)
            return Problems.Status(StatusCodes.Status403Forbidden,
                $"only admins may route the host '{foreign}'; your deployments may use names under {ns}.{options.Domain} (e.g. api.{ns}.{options.Domain})");
        var template = DeploymentRevisions.TemplateOf(body);
        var tenancy = await namespaces.GetAsync(ns, request.HttpContext.RequestAborted);
        // Admins may address any namespace, but nothing is created in one that does not exist: it would be invisible
        // in the namespace list, outside every quota, and unreachable for its would-be members.
        if (tenancy is null) return Problems.NotFound("namespace", ns);
        var needsApproval = Approvals.Needed(tenancy?.Approval, template.CpuMillis, template.MemoryBytes, template.Gpus);
        var existingReplicas = (await store.GetAsync(ns, name, request.HttpContext.RequestAborted))?.Replicas;
        var replicas = body.Replicas ?? existingReplicas ?? 1;
        return await quotas.GuardAsync(ns, tenancy?.Quota, QuotaGate.Of(template.CpuMillis, template.MemoryBytes, template.Gpus, replicas), name, async () =>
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var now = time.GetUtcNow();
                var existing = await store.GetAsync(ns, name, request.HttpContext.RequestAborted);
                try
                {
                    if (existing is null)
                    {
                        var fresh = DeploymentRevisions.New(name, ns, body, template, now);
                        if (needsApproval) fresh = fresh with { Approval = Approvals.Pending, RolloutMessage = $"waiting for an operator's approval: chas approve {name} -n {ns}" };
                        var created = await store.CreateAsync(fresh, request.HttpContext.RequestAborted);
                        return Results.Created($"/api/v1/deployments/{name}", created);
                    }
                    var updated = DeploymentRevisions.Apply(existing, body, template, now);
                    // A new revision that needs approval waits for it; the running revision keeps serving meanwhile.
                    if (needsApproval && updated.Revision != existing.Revision)
                        updated = updated with { Approval = Approvals.Pending, RolloutMessage = $"revision {updated.Revision} waits for an operator's approval: chas approve {name} -n {ns}" };
                    return Results.Ok(updated == existing ? existing : await store.UpdateAsync(updated, request.HttpContext.RequestAborted));
                }
                catch (ConflictException)
                {
                    // Created or changed concurrently (often by the controller's status write): apply again on the new state.
                }
            }
            return Problems.Conflict($"deployment '{name}' keeps changing; try again");
        }, request.HttpContext.RequestAborted);
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

    private static async Task<IResult> ScaleAsync(string name, HttpRequest request, DeploymentStore store, NamespaceStore namespaces, QuotaGate quotas)
    {
        var (body, problem) = await JsonBody.ReadAsync<ScaleRequest>(request);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        Validate.Scale(errors, body!.Replicas);
        if (!errors.IsEmpty) return Problems.Validation(errors);
        var ns = RequestContext.NamespaceOf(request);
        var current = await store.GetAsync(ns, name, request.HttpContext.RequestAborted);
        if (current is null) return Problems.NotFound("deployment", name);
        var t = current.Template;
        var quota = (await namespaces.GetAsync(ns, request.HttpContext.RequestAborted))?.Quota;
        return await quotas.GuardAsync(ns, quota, QuotaGate.Of(t.CpuMillis, t.MemoryBytes, t.Gpus, body.Replicas!.Value), name, async () =>
        {
            var updated = await store.UpdateAsync(ns, name,
                d => d.Replicas == body.Replicas ? null : d with { Replicas = body.Replicas!.Value }, request.HttpContext.RequestAborted);
            return updated is null ? Problems.NotFound("deployment", name) : Results.Ok(updated);
        }, request.HttpContext.RequestAborted);
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
