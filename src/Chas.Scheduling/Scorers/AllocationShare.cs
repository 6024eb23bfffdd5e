namespace Chas.Scheduling.Scorers;

/// <summary>The arithmetic the allocation scorers share.</summary>
internal static class AllocationShare
{
    /// <summary>
    /// The share of the node, 0 to 1, that would be allocated once the request is on it: cpu and
    /// memory averaged, as in Kubernetes' NodeResourcesFit scoring. A dimension the node has none of
    /// says nothing about load and is left out; with neither, the node counts as empty.
    /// </summary>
    public static double UsedAfterPlacement(NodeSnapshot node, PlacementRequest request)
    {
        double sum = 0;
        var dimensions = 0;
        Add(node.Allocated.CpuMillis + request.Requests.CpuMillis, node.Allocatable.CpuMillis, ref sum, ref dimensions);
        Add(node.Allocated.MemoryBytes + request.Requests.MemoryBytes, node.Allocatable.MemoryBytes, ref sum, ref dimensions);
        return dimensions == 0 ? 0 : sum / dimensions;
    }

    /// <summary>
    /// A request of nothing moves no share, so resource shares cannot tell nodes apart for it;
    /// the scorers rank by workload count instead.
    /// </summary>
    public static bool RequestsNothing(PlacementRequest request) =>
        request.Requests.CpuMillis <= 0 && request.Requests.MemoryBytes <= 0;

    private static void Add(long allocatedAfter, long allocatable, ref double sum, ref int dimensions)
    {
        if (allocatable <= 0) return;
        // Clamped: an over-committed node (allowed for zero requests) is simply full.
        sum += Math.Clamp((double)allocatedAfter / allocatable, 0, 1);
        dimensions++;
    }
}
