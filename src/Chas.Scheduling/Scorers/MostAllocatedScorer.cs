namespace Chas.Scheduling.Scorers;

/// <summary>
/// Binpack: the fuller the node would be after placement, the higher the score, so work piles onto
/// few nodes and the rest stay empty for large requests (or to be drained and switched off).
/// For a request of no cpu and no memory, more workloads scores higher.
/// </summary>
public sealed class MostAllocatedScorer : IScorePlugin
{
    public string Name => "MostAllocated";

    public double Score(NodeSnapshot node, PlacementRequest request)
    {
        if (AllocationShare.RequestsNothing(request))
        {
            var workloads = Math.Max(0, node.Workloads);
            return 100.0 * workloads / (1 + workloads);
        }
        return 100.0 * AllocationShare.UsedAfterPlacement(node, request);
    }
}
