namespace Chas.Scheduling;

/// <summary>
/// The one-line reason of a failed placement, worded like Kubernetes' FitError so that operators
/// read it the same way: "0/3 nodes available: 2 insufficient memory, 1 not ready".
/// </summary>
public static class RejectionSummary
{
    public const string NoNodes = "0/0 nodes available: no nodes registered";

    /// <summary>Counts equal reasons; most frequent first, then by reason text (ordinal) so the line is stable.</summary>
    public static string Describe(int totalNodes, IEnumerable<string> reasons)
    {
        if (totalNodes == 0) return NoNodes;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var reason in reasons)
            counts[reason] = counts.GetValueOrDefault(reason) + 1;

        var ordered = counts.ToList();
        ordered.Sort(static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        var parts = new string[ordered.Count];
        for (var i = 0; i < ordered.Count; i++)
            parts[i] = $"{ordered[i].Value} {ordered[i].Key}";
        return $"0/{totalNodes} nodes available: {string.Join(", ", parts)}";
    }
}
