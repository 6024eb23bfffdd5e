namespace Chas.Ingress.LoadBalancing;

/// <summary>
/// Nginx's smooth weighted round-robin over a changing set of candidates: each pick adds every
/// candidate's weight to its running credit, takes the one with the most credit and charges it the
/// total. Candidates with weight 0 are picked only when all weigh 0 (then evenly).
/// </summary>
internal sealed class SmoothWeightedRoundRobin
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, double> _credit = new(StringComparer.Ordinal);

    public T Next<T>(IReadOnlyList<T> candidates, Func<T, double> weightOf, Func<T, string> idOf)
    {
        lock (_lock)
        {
            var total = 0.0;
            for (var i = 0; i < candidates.Count; i++) total += Math.Max(0, weightOf(candidates[i]));
            var allZero = total <= 0;
            if (allZero) total = candidates.Count;

            var best = 0;
            var bestCredit = double.NegativeInfinity;
            for (var i = 0; i < candidates.Count; i++)
            {
                var id = idOf(candidates[i]);
                var credit = _credit.GetValueOrDefault(id) + (allZero ? 1 : Math.Max(0, weightOf(candidates[i])));
                _credit[id] = credit;
                if (credit > bestCredit)
                {
                    best = i;
                    bestCredit = credit;
                }
            }
            _credit[idOf(candidates[best])] = bestCredit - total;

            // Forget candidates that left (scaled down, unhealthy) so the table stays small.
            if (_credit.Count > candidates.Count * 2 + 8)
            {
                var present = candidates.Select(idOf).ToHashSet(StringComparer.Ordinal);
                foreach (var gone in _credit.Keys.Where(k => !present.Contains(k)).ToList()) _credit.Remove(gone);
            }
            return candidates[best];
        }
    }
}
