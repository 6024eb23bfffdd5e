using Chas.Contracts;

namespace Chas.Scheduling;

/// <summary>
/// What binding a request does to its node's record: its allocation, workload count, used ports,
/// used GPUs and group count include the request. Copies every set it changes and leaves the input
/// untouched, so records can be shared between snapshots.
/// </summary>
internal static class NodeAssumption
{
    public static NodeSnapshot With(NodeSnapshot node, PlacementRequest request, IReadOnlyList<PublishedPort> ports, IReadOnlyList<int> gpuIndices) => node with
    {
        Allocated = node.Allocated.Add(request.Requests),
        Workloads = node.Workloads + 1,
        UsedPorts = WithPorts(node.UsedPorts, ports),
        UsedGpus = WithGpus(node.UsedGpus, gpuIndices),
        GroupCounts = WithGroup(node.GroupCounts, request.Group),
    };

    private static IReadOnlySet<string> WithPorts(IReadOnlySet<string> used, IReadOnlyList<PublishedPort> ports)
    {
        if (ports.Count == 0) return used;
        var updated = CopyPorts(used);
        AddPorts(updated, ports);
        return updated;
    }

    private static IReadOnlySet<int> WithGpus(IReadOnlySet<int> used, IReadOnlyList<int> gpuIndices)
    {
        if (gpuIndices.Count == 0) return used;
        var updated = new HashSet<int>(used);
        AddGpus(updated, gpuIndices);
        return updated;
    }

    private static IReadOnlyDictionary<string, int> WithGroup(IReadOnlyDictionary<string, int> counts, string? group)
    {
        if (string.IsNullOrEmpty(group)) return counts;
        var updated = CopyGroups(counts);
        AddGroup(updated, group);
        return updated;
    }

    // The pieces below are shared with SchedulingSession, which copies a node's set once and then adds in place.

    public static HashSet<string> CopyPorts(IReadOnlySet<string> used) => new(used, StringComparer.Ordinal);

    public static Dictionary<string, int> CopyGroups(IReadOnlyDictionary<string, int> counts) => new(counts, StringComparer.Ordinal);

    public static void AddPorts(HashSet<string> used, IReadOnlyList<PublishedPort> ports)
    {
        foreach (var port in ports)
            used.Add(HostPortKey.Format(port.HostPort, port.Protocol));
    }

    public static void AddGpus(HashSet<int> used, IReadOnlyList<int> gpuIndices)
    {
        foreach (var gpu in gpuIndices) used.Add(gpu);
    }

    public static void AddGroup(Dictionary<string, int> counts, string group) =>
        counts[group] = counts.GetValueOrDefault(group) + 1;
}
