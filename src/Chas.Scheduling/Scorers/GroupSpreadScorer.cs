namespace Chas.Scheduling.Scorers;

/// <summary>
/// Anti-affinity for the instances of one group, e.g. a deployment's replicas: a node running none
/// of the request's group scores 100, one running k of them 100/(1+k), so that losing a node loses
/// as few replicas as possible. A request without a group scores 0 on every node: it ranks nothing,
/// and the sum of the other scorers stays exactly what it was without this one.
/// </summary>
public sealed class GroupSpreadScorer : IScorePlugin
{
    public string Name => "GroupSpread";

    public double Score(NodeSnapshot node, PlacementRequest request)
    {
        var group = request.Group;
        if (string.IsNullOrEmpty(group)) return 0;
        var counts = node.GroupCounts;
        var siblings = counts.Count > 0 && counts.TryGetValue(group, out var count) ? Math.Max(0, count) : 0;
        return 100.0 / (1 + siblings);
    }
}
