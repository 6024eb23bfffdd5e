using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Chas.Server.Tenancy;
using Chas.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>Namespaces: admins create shared ones, grant users roles in them and set quotas and approval rules.</summary>
public static class NamespacesApi
{
    public static IEndpointRouteBuilder MapNamespacesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/namespaces").WithTags("Namespaces");
        group.MapGet("/", ListAsync).RequireAccess(AccessLevel.ClusterRead)
            .Produces<IReadOnlyList<NamespaceResource>>().WithSummary("The namespaces the caller can use.");
        group.MapGet("/{name}", GetAsync).RequireAccess(AccessLevel.ClusterRead)
            .Produces<NamespaceResource>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("One namespace: members, quota, approval rules.");
        group.MapGet("/{name}/usage", UsageAsync).RequireAccess(AccessLevel.ClusterRead)
            .Produces<QuotaUsage>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("What the namespace's workloads ask for now, to compare with its quota.");
        group.MapPut("/{name}", ApplyAsync).RequireAccess(AccessLevel.Admin).Accepts<ApplyNamespaceRequest>("application/json")
            .Produces<NamespaceResource>().ProducesValidationProblem().WithSummary("Create or update a namespace (members, quota, approval).");
        group.MapDelete("/{name}", DeleteAsync).RequireAccess(AccessLevel.Admin)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Remove an empty namespace.");
        group.MapPut("/{name}/members/{user}", GrantAsync).RequireAccess(AccessLevel.Admin).Accepts<GrantRequest>("application/json")
            .Produces<NamespaceResource>().WithSummary("Give a user a role in the namespace.");
        group.MapDelete("/{name}/members/{user}", RevokeAsync).RequireAccess(AccessLevel.Admin)
            .Produces<NamespaceResource>().WithSummary("Take a user's role in the namespace away.");
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext context, NamespaceAccess access) =>
        Results.Ok((await access.MembershipsAsync(RequestContext.CallerOf(context), context.RequestAborted)).Select(m => m.Namespace).ToList());

    private static async Task<IResult> GetAsync(string name, HttpContext context, NamespaceStore namespaces)
    {
        var ns = await namespaces.GetAsync(name, context.RequestAborted);
        return ns is null || NamespaceAccess.RoleIn(RequestContext.CallerOf(context), ns) is null ? Problems.NotFound("namespace", name) : Results.Ok(ns);
    }

    private static async Task<IResult> UsageAsync(string name, HttpContext context, NamespaceStore namespaces, QuotaGate quotas)
    {
        var ns = await namespaces.GetAsync(name, context.RequestAborted);
        if (ns is null || NamespaceAccess.RoleIn(RequestContext.CallerOf(context), ns) is null) return Problems.NotFound("namespace", name);
        return Results.Ok(await quotas.UsageAsync(name, context.RequestAborted));
    }

    private static async Task<IResult> ApplyAsync(string name, HttpContext context, NamespaceStore namespaces, UserStore users, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync<ApplyNamespaceRequest>(context.Request);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        Validate.Name(errors, "name", name);
        foreach (var (user, role) in body!.Members ?? new Dictionary<string, Role>())
        {
            if (!Validate.IsDns1123Label(user)) errors.Add($"members.{user}", "is not a valid user name");
            if (!Enum.IsDefined(role)) errors.Add($"members.{user}", "must be viewer, user, operator or admin");
        }
        ValidateQuota(errors, body.Quota);
        if (body.Approval is { } a && (a.AboveCpuMillis < 0 || a.AboveMemoryBytes < 0)) errors.Add("approval", "thresholds must not be negative");
        if (!errors.IsEmpty) return Problems.Validation(errors);

        var ct = context.RequestAborted;
        // A grant to a name nobody holds yet would go to whoever signs up with it later.
        foreach (var user in body.Members?.Keys ?? [])
            if (await users.GetAsync(user, ct) is null) errors.Add($"members.{user}", "no such user");
        if (!errors.IsEmpty) return Problems.Validation(errors);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var existing = await namespaces.GetAsync(name, ct);
            try
            {
                if (existing is null || existing.ResourceVersion == 0)
                {
                    // A personal namespace is made with its user; a shared one must not take a user's name.
                    if (existing is null && await users.GetAsync(name, ct) is not null)
                        return Problems.Conflict($"'{name}' is a user's name; choose another namespace name");
                    var created = new NamespaceResource
                    {
                        Name = name, Members = body.Members ?? new Dictionary<string, Role>(), Quota = body.Quota, Approval = body.Approval, CreatedAt = time.GetUtcNow(),
                    };
                    return Results.Ok(await namespaces.CreateAsync(created, ct));
                }
                var updated = existing with
                {
                    Members = body.Members ?? existing.Members,
                    Quota = body.Quota ?? existing.Quota,
                    Approval = body.Approval ?? existing.Approval,
                };
                return Results.Ok(await namespaces.UpdateAsync(updated, ct));
            }
            catch (ConflictException)
            {
                // Changed in between: apply again to the new state.
            }
        }
        return Problems.Conflict($"namespace '{name}' keeps changing; try again");
    }

    private static void ValidateQuota(ValidationErrors errors, NamespaceQuota? quota)
    {
        if (quota is null) return;
        if (quota.CpuMillis < 0) errors.Add("quota.cpuMillis", "must not be negative");
        if (quota.MemoryBytes < 0) errors.Add("quota.memoryBytes", "must not be negative");
        if (quota.Gpus < 0) errors.Add("quota.gpus", "must not be negative");
        if (quota.Instances < 0) errors.Add("quota.instances", "must not be negative");
    }

    private static async Task<IResult> DeleteAsync(string name, HttpContext context, NamespaceStore namespaces, UserStore users, TaskStore tasks, DeploymentStore deployments)
    {
        var ct = context.RequestAborted;
        if (name == Namespaces.Default) return Problems.Conflict("the default namespace cannot be removed");
        var ns = await namespaces.GetAsync(name, ct);
        if (ns is null || ns.ResourceVersion == 0) return Problems.NotFound("namespace", name);
        if (ns.Owner is { } owner && owner == name && await users.GetAsync(owner, ct) is not null)
            return Problems.Conflict($"namespace '{name}' is the personal namespace of user '{owner}'; it goes when the user is removed (chas user rm {owner})");
        if (await NamespaceContents.HoldsWorkloadsAsync(tasks, deployments, name, ct))
            return Problems.Conflict($"namespace '{name}' still holds workloads; remove them first");
        try
        {
            await namespaces.DeleteAsync(ns, ct);
            return Results.NoContent();
        }
        catch (ConflictException)
        {
            return Problems.Conflict($"namespace '{name}' changed meanwhile; try again");
        }
    }

    private static async Task<IResult> GrantAsync(string name, string user, HttpContext context, NamespaceStore namespaces, UserStore users)
    {
        var (body, problem) = await JsonBody.ReadAsync<GrantRequest>(context.Request);
        if (problem is not null) return problem;
        if (body!.Role is not { } role || !Enum.IsDefined(role)) return Problems.Field("role", "must be viewer, user, operator or admin");
        if (await users.GetAsync(user, context.RequestAborted) is null) return Problems.NotFound("user", user);
        var updated = await namespaces.UpdateAsync(name, n => n.Members.TryGetValue(user, out var r) && r == role ? null
            : n with { Members = new Dictionary<string, Role>(n.Members) { [user] = role } }, context.RequestAborted);
        return updated is null ? Problems.NotFound("namespace", name) : Results.Ok(updated);
    }

    private static async Task<IResult> RevokeAsync(string name, string user, HttpContext context, NamespaceStore namespaces)
    {
        var wasMember = false;
        var updated = await namespaces.UpdateAsync(name, n =>
        {
            wasMember = n.Members.ContainsKey(user);
            if (!wasMember) return null;
            var members = new Dictionary<string, Role>(n.Members);
            members.Remove(user);
            return n with { Members = members };
        }, context.RequestAborted);
        if (updated is null) return Problems.NotFound("namespace", name);
        // Saying "no longer a member" of someone who never was would hide a misspelt name.
        return wasMember ? Results.Ok(updated) : Problems.NotFound("member", $"{user}' of namespace '{name}");
    }
}
