namespace Chas.Scheduling.Scorers;

/// <summary>
/// Spread: the more of the node stays free after placement, the higher the score.
/// For a request of no cpu and no memory, fewer workloads scores higher, so such tasks spread too.
/// </summary>
public sealed class LeastAllocatedScorer : IScorePlugin
{
    public string Name => "LeastAllocated";

    public double Score(NodeSnapshot node, PlacementRequest request)
    {
        if (AllocationShare.RequestsNothing(request))
            return 100.0 / (1 + Math.Max(0, node.Workloads));
        return 100.0 * (1 - AllocationShare.UsedAfterPlacement(node, request));
    }
}
