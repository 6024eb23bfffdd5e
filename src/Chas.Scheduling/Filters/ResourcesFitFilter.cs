namespace Chas.Scheduling.Filters;

/// <summary>
/// Allocated + requested must not exceed allocatable, per dimension. A request of 0 in a dimension
/// always fits it, even on an over-committed node, as in Kubernetes' NodeResourcesFit.
/// Memory is checked first: running out of it kills containers, running out of cpu only slows them.
/// </summary>
public sealed class ResourcesFitFilter : IFilterPlugin
{
    public const string InsufficientMemory = "insufficient memory";
    public const string InsufficientCpu = "insufficient cpu";

    private static readonly FilterStatus InsufficientMemoryStatus = FilterStatus.Reject(InsufficientMemory);
    private static readonly FilterStatus InsufficientCpuStatus = FilterStatus.Reject(InsufficientCpu);

    public string Name => "ResourcesFit";

    public FilterStatus Filter(NodeSnapshot node, PlacementRequest request)
    {
        var wanted = request.Requests;
        if (!Fits(wanted.MemoryBytes, node.Allocated.MemoryBytes, node.Allocatable.MemoryBytes)) return InsufficientMemoryStatus;
        if (!Fits(wanted.CpuMillis, node.Allocated.CpuMillis, node.Allocatable.CpuMillis)) return InsufficientCpuStatus;
        return FilterStatus.Success;
    }

    /// <summary>Compared as "request ≤ free" so that huge values cannot overflow the sum.</summary>
    internal static bool Fits(long requested, long allocated, long allocatable) =>
        requested <= 0 || requested <= allocatable - allocated;
}
