namespace Chas.Bench.SubmitToRunning;

/// <summary>Summary statistics of one series of durations.</summary>
internal sealed record Latencies(int Count, double P50, double P90, double P99, double Max)
{
    public static Latencies Of(IEnumerable<TimeSpan> samples)
    {
        var ms = samples.Select(s => s.TotalMilliseconds).Order().ToArray();
        if (ms.Length == 0) return new Latencies(0, double.NaN, double.NaN, double.NaN, double.NaN);
        return new Latencies(ms.Length, Percentile(ms, 50), Percentile(ms, 90), Percentile(ms, 99), ms[^1]);
    }

    /// <summary>
    /// Linear interpolation between closest ranks (numpy's default). With 50 samples p99 lies between the two
    /// largest, so it is one outlier's word: read it together with max.
    /// </summary>
    private static double Percentile(double[] sorted, double p)
    {
        var rank = p / 100 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
