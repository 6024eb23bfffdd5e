namespace Chas.Scheduling;

/// <summary>
/// Chooses the GPUs of a request on the node it was placed on: exact indices as asked, a count as
/// the lowest free indices. The filter counts free GPUs here too, so "fits" and "what is handed out"
/// cannot disagree. Free means listed by the node and not in its used set; an index the node lists
/// twice is one GPU. Nodes hold a handful of GPUs, so plain scans beat building sets.
/// </summary>
internal static class GpuPicker
{
    public static IReadOnlyList<int> Pick(NodeSnapshot node, PlacementRequest request)
    {
        if (request.GpuIndices.Count > 0) return [.. request.GpuIndices];
        var wanted = request.Gpus;
        if (wanted <= 0) return [];

        var gpus = node.Gpus;
        var free = new List<int>(gpus.Count);
        for (var i = 0; i < gpus.Count; i++)
        {
            if (IsFree(node, i)) free.Add(gpus[i]);
        }
        if (free.Count < wanted)
        {
            // Only reachable when the scheduler was built without GpuFilter.
            throw new InvalidOperationException(
                $"Node '{node.Name}' passed every filter but has {free.Count} free GPUs, not {wanted}.");
        }
        free.Sort();
        return [.. free.GetRange(0, wanted)];
    }

    /// <summary>Free GPUs on the node, counting no further than <paramref name="enough"/>.</summary>
    public static int CountFree(NodeSnapshot node, int enough)
    {
        var count = 0;
        for (var i = 0; i < node.Gpus.Count && count < enough; i++)
        {
            if (IsFree(node, i)) count++;
        }
        return count;
    }

    public static bool IsPresent(NodeSnapshot node, int index)
    {
        var gpus = node.Gpus;
        for (var i = 0; i < gpus.Count; i++)
        {
            if (gpus[i] == index) return true;
        }
        return false;
    }

    /// <summary>The GPU at this position of the node's list is unused and not listed earlier.</summary>
    private static bool IsFree(NodeSnapshot node, int position)
    {
        var gpus = node.Gpus;
        var index = gpus[position];
        if (node.UsedGpus.Contains(index)) return false;
        for (var j = 0; j < position; j++)
        {
            if (gpus[j] == index) return false;
        }
        return true;
    }
}
