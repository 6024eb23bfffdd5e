namespace Chas.Scheduling.Filters;

/// <summary>
/// GPUs: exact indices must each be on the node, free, and asked for only once; a count needs that
/// many free GPUs on the node. A request of no GPUs fits every node, with GPUs or without.
/// Runs after resources, so a node short of memory says so before it says anything about GPUs.
/// </summary>
public sealed class GpuFilter : IFilterPlugin
{
    public const string InsufficientGpus = "insufficient gpus";

    private static readonly FilterStatus InsufficientGpusStatus = FilterStatus.Reject(InsufficientGpus);

    public string Name => "Gpus";

    public FilterStatus Filter(NodeSnapshot node, PlacementRequest request)
    {
        var indices = request.GpuIndices;
        if (indices.Count > 0) return FilterExact(node, indices);
        var wanted = request.Gpus;
        if (wanted <= 0) return FilterStatus.Success;
        // Most nodes have fewer GPUs than asked for, often none: no need to look at which are used.
        if (node.Gpus.Count < wanted) return InsufficientGpusStatus;
        return GpuPicker.CountFree(node, wanted) >= wanted ? FilterStatus.Success : InsufficientGpusStatus;
    }

    private static FilterStatus FilterExact(NodeSnapshot node, IReadOnlyList<int> indices)
    {
        for (var i = 0; i < indices.Count; i++)
        {
            var index = indices[i];
            if (!GpuPicker.IsPresent(node, index)) return FilterStatus.Reject($"gpu {index} not present");
            if (node.UsedGpus.Contains(index)) return FilterStatus.Reject($"gpu {index} in use");
            if (IsRequestedEarlier(indices, i, index)) return FilterStatus.Reject($"gpu {index} requested twice");
        }
        return FilterStatus.Success;
    }

    private static bool IsRequestedEarlier(IReadOnlyList<int> indices, int position, int index)
    {
        for (var j = 0; j < position; j++)
        {
            if (indices[j] == index) return true;
        }
        return false;
    }
}
