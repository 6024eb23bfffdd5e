using Chas.Contracts;
using Chas.Server.Api;
using Chas.Server.Auth;
using Chas.Server.Hosting;
using Chas.Server.State;
using Chas.Server.Tenancy;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Application;

/// <summary>What a new or changed workload (a task, a deployment's template) asks for, as admission judges it.</summary>
public sealed record WorkloadClaim
{
    /// <summary>The namespace the request body names, if any; otherwise the request's own (?namespace= or the caller's home).</summary>
    public string? Namespace { get; init; }
    public bool Privileged { get; init; }
    /// <summary>The ingress hosts the workload would route.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];
    /// <summary>What one instance asks for.</summary>
    public long CpuMillis { get; init; }
    public long MemoryBytes { get; init; }
    public int Gpus { get; init; }
}

/// <summary>A claim admitted into its namespace: which namespace, as read, and whether it waits for an operator's approval.</summary>
public sealed record AdmittedWorkload(string Namespace, NamespaceResource Tenancy, bool NeedsApproval);

/// <summary>
/// The one path every workload takes into a namespace, whichever endpoint creates it: the caller
/// may write there, may ask for what it asks (privileged containers, hosts outside the namespace's
/// domain are for admins), the namespace exists, its approval policy decides whether the work is
/// held, and its quota has room. Refusals are the API's problem documents, ready to answer.
/// </summary>
public sealed class WorkloadAdmission(NamespaceStore namespaces, NamespaceAccess access, QuotaGate quotas, ServerOptions options)
{
    /// <summary>Admits <paramref name="claim"/> for the request's caller, or answers why not.</summary>
    public async Task<(AdmittedWorkload? Admitted, IResult? Refusal)> AdmitAsync(HttpContext context, WorkloadClaim claim)
    {
        var addressed = RequestContext.NamespaceOf(context.Request);
        var ns = claim.Namespace ?? addressed;
        var caller = RequestContext.CallerOf(context);
        // The access middleware checked the addressed namespace; a body naming another one is checked here.
        if (ns != addressed && await AccessMiddleware.RequireAsync(context, access, caller, ns, Role.User) is { } denied)
            return (null, denied);
        if (claim.Privileged && !caller.IsAdmin)
            return (null, Problems.Status(StatusCodes.Status403Forbidden, "only admins may run privileged containers (privileged: true)"));
        if (!caller.IsAdmin && claim.Hosts.FirstOrDefault(h => !HostOwnership.IsNamespaces(h, ns, options.Domain)) is { } foreign)
            return (null, Problems.Status(StatusCodes.Status403Forbidden,
                $"only admins may route the host '{foreign}'; your deployments may use names under {ns}.{options.Domain} (e.g. api.{ns}.{options.Domain})"));
        var tenancy = await namespaces.GetAsync(ns, context.RequestAborted);
        // Admins may address any namespace, but nothing is created in one that does not exist: it would be invisible
        // in the namespace list, outside every quota, and unreachable for its would-be members.
        if (tenancy is null) return (null, Problems.NotFound("namespace", ns));
        return (new AdmittedWorkload(ns, tenancy, Approvals.Needed(tenancy.Approval, claim.CpuMillis, claim.MemoryBytes, claim.Gpus)), null);
    }

    /// <summary>
    /// Runs <paramref name="write"/> when <paramref name="instances"/> of the claim fit the namespace's quota
    /// (a deployment's own current replicas, <paramref name="replacingDeployment"/>, do not count twice).
    /// </summary>
    public Task<IResult> WithinQuotaAsync(AdmittedWorkload admitted, WorkloadClaim claim, int instances, string? replacingDeployment,
        Func<Task<IResult>> write, CancellationToken ct) =>
        quotas.GuardAsync(admitted.Namespace, admitted.Tenancy.Quota, QuotaGate.Of(claim.CpuMillis, claim.MemoryBytes, claim.Gpus, instances),
            replacingDeployment, write, ct);

    /// <summary>A deployment scaled to <paramref name="replicas"/>: only its count changes, so only the quota is asked again.</summary>
    public async Task<IResult> RescaleWithinQuotaAsync(string ns, string deployment, WorkloadTemplate template, int replicas,
        Func<Task<IResult>> write, CancellationToken ct)
    {
        var quota = (await namespaces.GetAsync(ns, ct))?.Quota;
        return await quotas.GuardAsync(ns, quota, QuotaGate.Of(template.CpuMillis, template.MemoryBytes, template.Gpus, replicas), deployment, write, ct);
    }
}
