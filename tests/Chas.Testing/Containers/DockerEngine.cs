using Chas.Runtime;
using Chas.Runtime.Docker;
using Microsoft.Extensions.Options;

namespace Chas.Testing.Containers;

/// <summary>
/// The Docker engine the agents run containers on, looked at directly through the Engine API — the
/// ground truth to check the cluster's view against. The label names are the agent's (see
/// src/Chas.Agent/ContainerLabels.cs); they are repeated here because the tests only see the product from outside.
/// </summary>
public static class DockerEngine
{
    public const string NodeLabel = "io.chas.node";
    public const string UidLabel = "io.chas.uid";
    public const string ManagedLabel = "io.chas.managed";

    public static DockerContainerRuntime Runtime { get; } = new(Options.Create(new DockerRuntimeOptions()));

    /// <summary>Containers (running or not) of one task, found by the uid label the agent puts on them.</summary>
    public static Task<IReadOnlyList<ContainerInfo>> ContainersOfTaskAsync(string taskUid) =>
        Runtime.ListAsync(new Dictionary<string, string> { [UidLabel] = taskUid }, CancellationToken.None);

    public static Task<IReadOnlyList<ContainerInfo>> ContainersOfNodeAsync(string node) =>
        Runtime.ListAsync(new Dictionary<string, string> { [ManagedLabel] = "true", [NodeLabel] = node }, CancellationToken.None);

    public static Task<ContainerInfo?> InspectAsync(string containerId) => Runtime.InspectAsync(containerId, CancellationToken.None);

    /// <summary>The task uids whose containers run right now on these nodes, with the node each runs on.</summary>
    public static async Task<IReadOnlyList<(string Node, string TaskUid)>> RunningTasksOfNodesAsync(IEnumerable<string> nodes)
    {
        var running = new List<(string Node, string TaskUid)>();
        foreach (var node in nodes)
        {
            foreach (var container in await ContainersOfNodeAsync(node))
            {
                if (container.State == ContainerState.Running) running.Add((node, container.Labels.GetValueOrDefault(UidLabel, "?")));
            }
        }
        return running;
    }

    /// <summary>Removes everything agents of this node created, so no test leaves containers behind.</summary>
    public static async Task RemoveContainersOfNodeAsync(string node)
    {
        foreach (var container in await ContainersOfNodeAsync(node))
            await Runtime.RemoveAsync(container.Id, force: true, CancellationToken.None);
    }
}
