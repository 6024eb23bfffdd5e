using Chas.Server.State;

namespace Chas.Server.Api;

/// <summary>Whether a namespace still holds tasks or deployments, which must not lose the namespace they live in.</summary>
internal static class NamespaceContents
{
    public static async Task<bool> HoldsWorkloadsAsync(TaskStore tasks, DeploymentStore deployments, string ns, CancellationToken ct)
    {
        var (allTasks, _) = await tasks.ListAsync(ct);
        if (allTasks.Any(t => t.Namespace == ns)) return true;
        var (allDeployments, _) = await deployments.ListAsync(ct);
        return allDeployments.Any(d => d.Namespace == ns);
    }
}
