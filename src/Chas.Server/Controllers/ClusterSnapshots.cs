using System.Collections.Frozen;
using System.Collections.ObjectModel;
using Chas.Contracts;
using Chas.Scheduling;

namespace Chas.Server.Controllers;

/// <summary>Turns nodes and the work bound to them into the scheduler's immutable view.</summary>
public static class ClusterSnapshots
{
    // Shared by every node that uses none: the scheduler copies a set before it adds to it.
    private static readonly IReadOnlySet<string> NoPorts = FrozenSet<string>.Empty;
    /// <summary>
    /// One pass over the tasks (those not holding a node's resources are skipped), then one per node. Built on
    /// every scheduling pass from tens of thousands of tasks, so it allocates only what a node actually uses:
    /// port, GPU and group sets exist only on nodes that have some.
    /// </summary>
    public static ClusterSnapshot Build(IReadOnlyList<NodeResource> nodes, IReadOnlyList<TaskResource> tasks)
    {
        var byNode = new Dictionary<string, NodeUse>(StringComparer.Ordinal);
        var groupKeys = new Dictionary<(string Namespace, string Deployment), string>();
        foreach (var task in tasks)
        {
            if (task.Node is null || !task.Status.HoldsResources()) continue;
            if (!byNode.TryGetValue(task.Node, out var use)) byNode[task.Node] = use = new NodeUse();
            use.CpuMillis += task.CpuMillis;
            use.MemoryBytes += task.MemoryBytes;
            use.Workloads++;
            foreach (var port in task.PublishedPorts) (use.Ports ??= new HashSet<string>(StringComparer.Ordinal)).Add($"{port.HostPort}/{port.Protocol}");
            foreach (var gpu in task.AssignedGpus) (use.Gpus ??= []).Add(gpu);
            if (task.Deployment is null) continue;
            if (!groupKeys.TryGetValue((task.Namespace, task.Deployment), out var group))
                groupKeys[(task.Namespace, task.Deployment)] = group = $"{task.Namespace}/{task.Deployment}";
            use.Groups ??= new Dictionary<string, int>(StringComparer.Ordinal);
            use.Groups[group] = use.Groups.GetValueOrDefault(group) + 1;
        }

        var sorted = nodes.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var snapshots = new List<NodeSnapshot>(sorted.Length);
        foreach (var node in sorted)
        {
            var use = byNode.GetValueOrDefault(node.Name);
            var snapshot = new NodeSnapshot
            {
                Name = node.Name,
                Address = node.Address,
                Ready = node.Status == NodeStatus.Ready,
                Schedulable = !node.Unschedulable,
                Labels = node.Labels,
                Allocatable = node.Allocatable,
                Allocated = new ResourceAmounts { CpuMillis = use?.CpuMillis ?? 0, MemoryBytes = use?.MemoryBytes ?? 0 },
                Workloads = use?.Workloads ?? 0,
                PortRange = node.PortRange,
                UsedPorts = use?.Ports ?? NoPorts,
                Gpus = node.Gpus.Count == 0 ? [] : node.Gpus.Select(g => g.Index).ToList(),
                UsedGpus = use?.Gpus ?? (IReadOnlySet<int>)FrozenSet<int>.Empty,
                GroupCounts = use?.Groups ?? (IReadOnlyDictionary<string, int>)ReadOnlyDictionary<string, int>.Empty,
            };
            snapshots.Add(snapshot);
        }
        return new ClusterSnapshot(snapshots);
    }

    private sealed class NodeUse
    {
        public long CpuMillis;
        public long MemoryBytes;
        public int Workloads;
        public HashSet<string>? Ports;
        public HashSet<int>? Gpus;
        public Dictionary<string, int>? Groups;
    }
}
