namespace Chas.Scheduling.Filters;

/// <summary>Every label the request selects on must be on the node with the same value (ordinal, case-sensitive).</summary>
public sealed class NodeSelectorFilter : IFilterPlugin
{
    public const string Mismatch = "node selector mismatch";

    private static readonly FilterStatus MismatchStatus = FilterStatus.Reject(Mismatch);

    public string Name => "NodeSelector";

    public FilterStatus Filter(NodeSnapshot node, PlacementRequest request)
    {
        var selector = request.NodeSelector;
        // Most requests select nothing: skip the enumerator allocation on every node.
        if (selector.Count == 0) return FilterStatus.Success;
        var labels = node.Labels;
        // The concrete type enumerates without boxing an enumerator on every node.
        if (selector is Dictionary<string, string> concrete)
        {
            foreach (var (key, wanted) in concrete)
            {
                if (!HasLabel(labels, key, wanted)) return MismatchStatus;
            }
            return FilterStatus.Success;
        }
        foreach (var (key, wanted) in selector)
        {
            if (!HasLabel(labels, key, wanted)) return MismatchStatus;
        }
        return FilterStatus.Success;
    }

    private static bool HasLabel(IReadOnlyDictionary<string, string> labels, string key, string wanted) =>
        labels.TryGetValue(key, out var actual) && string.Equals(actual, wanted, StringComparison.Ordinal);
}
