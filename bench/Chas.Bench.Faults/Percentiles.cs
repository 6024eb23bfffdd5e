namespace Chas.Bench.Faults;

/// <summary>Percentiles that interpolate linearly between samples, as the other benchmarks print them.</summary>
internal static class Percentiles
{
    public static double Of(IReadOnlyCollection<double> samples, double p)
    {
        if (samples.Count == 0) return double.NaN;
        var sorted = samples.Order().ToArray();
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
