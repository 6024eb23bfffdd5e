namespace Chas.Scheduling;

/// <summary>
/// Ranks a node that passed every filter: higher is better, from 0 to 100 (Kubernetes' MaxNodeScore).
/// Must be pure and thread-safe; it runs once per feasible node per placement.
/// </summary>
public interface IScorePlugin
{
    string Name { get; }

    double Score(NodeSnapshot node, PlacementRequest request);
}

/// <summary>A scorer and how much it counts, 0 to 100, against the other scorers of the same strategy.</summary>
public sealed record WeightedScorePlugin
{
    public WeightedScorePlugin(IScorePlugin plugin, int weight = 1)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentOutOfRangeException.ThrowIfNegative(weight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, 100);
        Plugin = plugin;
        Weight = weight;
    }

    public IScorePlugin Plugin { get; }
    public int Weight { get; }
}
