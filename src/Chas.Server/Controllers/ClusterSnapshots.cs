using Chas.Contracts;
using Chas.Scheduling;

namespace Chas.Server.Controllers;

/// <summary>Turns nodes and the work bound to them into the scheduler's immutable view.</summary>
public static class ClusterSnapshots
{
    public static ClusterSnapshot Build(IReadOnlyList<NodeResource> nodes, IReadOnlyList<TaskResource> tasks)
    {
        var byNode = new Dictionary<string, List<TaskResource>>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            if (task.Node is null || !task.Status.HoldsResources()) continue;
            if (!byNode.TryGetValue(task.Node, out var list)) byNode[task.Node] = list = [];
            list.Add(task);
        }
        var snapshots = nodes.OrderBy(n => n.Name, StringComparer.Ordinal).Select(node =>
        {
            var bound = byNode.GetValueOrDefault(node.Name) ?? [];
            return new NodeSnapshot
            {
                Name = node.Name,
                Address = node.Address,
                Ready = node.Status == NodeStatus.Ready,
                Schedulable = !node.Unschedulable,
                Labels = node.Labels,
                Allocatable = node.Allocatable,
                Allocated = new ResourceAmounts { CpuMillis = bound.Sum(t => t.CpuMillis), MemoryBytes = bound.Sum(t => t.MemoryBytes) },
                Workloads = bound.Count,
                PortRange = node.PortRange,
                UsedPorts = bound.SelectMany(t => t.PublishedPorts).Select(p => $"{p.HostPort}/{p.Protocol}").ToHashSet(StringComparer.Ordinal),
                Gpus = node.Gpus.Select(g => g.Index).ToList(),
                UsedGpus = bound.SelectMany(t => t.AssignedGpus).ToHashSet(),
                GroupCounts = bound.Where(t => t.Deployment is not null)
                    .GroupBy(t => $"{t.Namespace}/{t.Deployment}", StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            };
        }).ToList();
        return new ClusterSnapshot(snapshots);
    }
}
