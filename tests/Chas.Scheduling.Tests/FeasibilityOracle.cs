namespace Chas.Scheduling.Tests;

/// <summary>
/// A deliberately naive, independent answer to "could this node take this request?", written
/// without the scheduler's shortcuts, so that property tests can check the scheduler against it.
/// </summary>
internal static class FeasibilityOracle
{
    public static bool CanTake(NodeSnapshot node, PlacementRequest request) =>
        node.Ready
        && node.Schedulable
        && request.NodeSelector.All(pair => node.Labels.TryGetValue(pair.Key, out var value) && value == pair.Value)
        && Fits(request.Requests.CpuMillis, node.Allocated.CpuMillis, node.Allocatable.CpuMillis)
        && Fits(request.Requests.MemoryBytes, node.Allocated.MemoryBytes, node.Allocatable.MemoryBytes)
        && PortsFit(node, request.Ports)
        && AllocateGpus(node, request) is not null;

    /// <summary>
    /// The GPUs a person would hand out: the exact ones if each is on the node and not yet taken,
    /// otherwise the lowest untaken one, again and again, as many times as asked. Null when they run out.
    /// </summary>
    public static IReadOnlyList<int>? AllocateGpus(NodeSnapshot node, PlacementRequest request)
    {
        var taken = new HashSet<int>(node.UsedGpus);
        if (request.GpuIndices.Count > 0)
            return request.GpuIndices.All(gpu => node.Gpus.Contains(gpu) && taken.Add(gpu)) ? request.GpuIndices : null;
        var allocated = new List<int>();
        for (var n = 0; n < request.Gpus; n++)
        {
            var free = node.Gpus.Where(gpu => !taken.Contains(gpu)).Order().Select(gpu => (int?)gpu).FirstOrDefault();
            if (free is null) return null;
            taken.Add(free.Value);
            allocated.Add(free.Value);
        }
        return allocated;
    }

    private static bool Fits(long requested, long allocated, long allocatable) =>
        requested == 0 || allocated + requested <= allocatable;

    /// <summary>Hands out ports one by one from the whole range, exactly as a person would.</summary>
    private static bool PortsFit(NodeSnapshot node, IReadOnlyList<PortMapping> ports)
    {
        var taken = new HashSet<string>(node.UsedPorts);
        foreach (var port in ports.Where(p => p.HostPort is not null))
        {
            if (!node.PortRange.Contains(port.HostPort!.Value) || !taken.Add($"{port.HostPort}/{port.Protocol}")) return false;
        }
        foreach (var port in ports.Where(p => p.HostPort is null))
        {
            var free = Enumerable.Range(node.PortRange.From, node.PortRange.To - node.PortRange.From + 1)
                .Select(candidate => $"{candidate}/{port.Protocol}")
                .FirstOrDefault(key => !taken.Contains(key));
            if (free is null) return false;
            taken.Add(free);
        }
        return true;
    }
}
