namespace Chas.Scheduling;

/// <summary>
/// How many feasible nodes a placement looks for before it stops filtering, like Kubernetes'
/// percentageOfNodesToScore: on a large cluster the best of a few hundred feasible nodes is as good
/// a choice as the best of thousands, and filtering and scoring every node of every request is what
/// made placement cost grow with the cluster. Small clusters are scanned whole, so that they keep
/// the exact, order-independent answer.
/// </summary>
internal static class NodeSampling
{
    /// <summary>Clusters up to this size are always scanned whole; larger ones look for at least this many feasible nodes.</summary>
    public const int MinFeasibleNodesToFind = 100;

    /// <summary>The share of a large cluster's nodes, in percent, that must be found feasible before filtering stops.</summary>
    public const int PercentageOfNodesToScore = 5;

    /// <summary>max(100, 5 % of the nodes), or every node of a cluster of 100 or fewer.</summary>
    public static int FeasibleNodesToFind(int nodeCount)
    {
        if (nodeCount <= MinFeasibleNodesToFind) return nodeCount;
        return Math.Max(MinFeasibleNodesToFind, (int)((long)nodeCount * PercentageOfNodesToScore / 100));
    }

    /// <summary>Where a placement starts its scan: the rotating offset on a large cluster, the first node on a small one.</summary>
    public static int StartIndex(int nodeCount, int rotatingOffset) =>
        nodeCount <= MinFeasibleNodesToFind ? 0 : (int)((uint)rotatingOffset % (uint)nodeCount);
}
