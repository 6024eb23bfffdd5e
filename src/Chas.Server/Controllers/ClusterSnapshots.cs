using Chas.Contracts;
using Chas.Scheduling;

namespace Chas.Server.Controllers;

/// <summary>Turns stored nodes and tasks into the scheduler's immutable view.</summary>
public static class ClusterSnapshots
{
    public static ClusterSnapshot Build(IReadOnlyList<NodeResource> nodes, IReadOnlyList<TaskResource> tasks)
    {
        var byNode = tasks.Where(t => t.Node is not null && t.Status.HoldsResources()).GroupBy(t => t.Node!)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var snapshots = nodes.Select(node =>
        {
            var bound = byNode.GetValueOrDefault(node.Name) ?? [];
            return new NodeSnapshot
            {
                Name = node.Name,
                Address = node.Address,
                Ready = node.Status == NodeStatus.Ready,
                Labels = node.Labels,
                Allocatable = node.Capacity,
                Allocated = new ResourceAmounts { CpuMillis = bound.Sum(t => t.CpuMillis), MemoryBytes = bound.Sum(t => t.MemoryBytes) },
                Workloads = bound.Count,
                PortRange = node.PortRange,
                UsedPorts = bound.SelectMany(t => t.PublishedPorts).Select(p => $"{p.HostPort}/{p.Protocol}").ToHashSet(StringComparer.Ordinal),
            };
        }).ToList();
        return new ClusterSnapshot(snapshots);
    }
}
