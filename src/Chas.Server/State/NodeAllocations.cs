using Chas.Contracts;

namespace Chas.Server.State;

/// <summary>What the tasks bound to each node hold: derived from the tasks, never stored twice.</summary>
public static class NodeAllocations
{
    public static IReadOnlyDictionary<string, NodeAllocation> Compute(IEnumerable<TaskResource> tasks)
    {
        var result = new Dictionary<string, NodeAllocation>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            if (task.Node is null || !task.Status.HoldsResources()) continue;
            var current = result.GetValueOrDefault(task.Node) ?? new NodeAllocation();
            result[task.Node] = current with
            {
                CpuMillis = current.CpuMillis + task.CpuMillis,
                MemoryBytes = current.MemoryBytes + task.MemoryBytes,
                Tasks = current.Tasks + 1,
            };
        }
        return result;
    }
}
