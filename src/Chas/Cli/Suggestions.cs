namespace Chas.Cli;

/// <summary>"did you mean …?" for names: the closest by edit distance, if close enough to be a typo.</summary>
internal static class Suggestions
{
    /// <summary>"no such context 'prod' — did you mean 'prd'?" (or without the question when nothing is close).</summary>
    public static string NotFound(string kind, string wanted, IEnumerable<string> candidates) =>
        Closest(wanted, candidates) is { } close ? $"no such {kind} '{wanted}' — did you mean '{close}'?" : $"no such {kind} '{wanted}'";

    public static string? Closest(string wanted, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var d = Distance(wanted, candidate);
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return bestDistance <= Math.Max(1, wanted.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
