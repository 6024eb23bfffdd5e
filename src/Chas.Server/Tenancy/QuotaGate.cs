using Chas.Contracts;
using Chas.Server.State;
using Chas.Store;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Tenancy;

/// <summary>
/// Namespace quotas (seed 2's group quotas). Use counts what workloads ask for: active standalone
/// tasks, plus replicas × template of each deployment (a rollout's surge instance is not counted).
/// Checks of one namespace run one at a time, so two requests cannot both take the last room. Use
/// is read from the cluster cache once it has caught up with the store, not by parsing every task.
/// </summary>
public sealed class QuotaGate(ClusterCache cache, IObjectStore store, TimeProvider time)
{
    private readonly Dictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<QuotaUsage> UsageAsync(string ns, CancellationToken ct, string? exceptDeployment = null)
    {
        // Everything committed before this check (an earlier create of this namespace included) must count.
        await cache.CatchUpAsync(store.CurrentRevision, time, ct);
        var allTasks = cache.Tasks();
        var allDeployments = cache.Deployments();
        var usage = new QuotaUsage();
        foreach (var t in allTasks.Where(t => t.Namespace == ns && t.Deployment is null && !t.Status.IsTerminal()))
            usage = Add(usage, t.CpuMillis, t.MemoryBytes, t.Gpus > 0 ? t.Gpus : t.GpuIndices.Count, 1);
        foreach (var d in allDeployments.Where(d => d.Namespace == ns && d.Name != exceptDeployment))
            usage = Add(usage, d.Template.CpuMillis * d.Replicas, d.Template.MemoryBytes * d.Replicas, d.Template.Gpus * d.Replicas, d.Replicas);
        return usage;
    }

    /// <summary>
    /// Runs <paramref name="write"/> when use plus <paramref name="requested"/> stays within the
    /// namespace's <paramref name="quota"/> (as the caller read it with the namespace); otherwise
    /// answers 403 naming the quota, the use and the request.
    /// </summary>
    public async Task<IResult> GuardAsync(string ns, NamespaceQuota? quota, QuotaUsage requested, string? replacingDeployment, Func<Task<IResult>> write, CancellationToken ct)
    {
        if (quota is null) return await write();
        var gate = LockFor(ns);
        await gate.WaitAsync(ct);
        try
        {
            var used = await UsageAsync(ns, ct, replacingDeployment);
            var exceeded = Exceeded(quota, used, requested);
            return exceeded is null ? await write() : Refuse(ns, quota, used, requested, exceeded);
        }
        finally
        {
            gate.Release();
        }
    }

    public static QuotaUsage Of(long cpuMillis, long memoryBytes, int gpus, int instances) =>
        new() { CpuMillis = cpuMillis * instances, MemoryBytes = memoryBytes * instances, Gpus = gpus * instances, Instances = instances };

    private static string? Exceeded(NamespaceQuota quota, QuotaUsage used, QuotaUsage requested)
    {
        if (quota.CpuMillis is { } cpu && used.CpuMillis + requested.CpuMillis > cpu)
            return $"cpu: {Quantity.FormatCpu(used.CpuMillis)} used + {Quantity.FormatCpu(requested.CpuMillis)} requested > {Quantity.FormatCpu(cpu)}";
        if (quota.MemoryBytes is { } memory && used.MemoryBytes + requested.MemoryBytes > memory)
            return $"memory: {Quantity.FormatMemory(used.MemoryBytes)} used + {Quantity.FormatMemory(requested.MemoryBytes)} requested > {Quantity.FormatMemory(memory)}";
        if (quota.Gpus is { } gpus && used.Gpus + requested.Gpus > gpus)
            return $"gpus: {used.Gpus} used + {requested.Gpus} requested > {gpus}";
        if (quota.Instances is { } instances && used.Instances + requested.Instances > instances)
            return $"instances: {used.Instances} used + {requested.Instances} requested > {instances}";
        return null;
    }

    private static IResult Refuse(string ns, NamespaceQuota quota, QuotaUsage used, QuotaUsage requested, string exceeded) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Quota exceeded.",
            detail: $"namespace '{ns}' quota exceeded: {exceeded}",
            extensions: new Dictionary<string, object?> { ["namespace"] = ns, ["quota"] = quota, ["used"] = used, ["requested"] = requested });

    private static QuotaUsage Add(QuotaUsage u, long cpu, long memory, int gpus, int instances) => u with
    {
        CpuMillis = u.CpuMillis + cpu, MemoryBytes = u.MemoryBytes + memory, Gpus = u.Gpus + gpus, Instances = u.Instances + instances,
    };

    private SemaphoreSlim LockFor(string ns)
    {
        lock (_locks)
        {
            if (!_locks.TryGetValue(ns, out var gate)) _locks[ns] = gate = new SemaphoreSlim(1, 1);
            return gate;
        }
    }
}
