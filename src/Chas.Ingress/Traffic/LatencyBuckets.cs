using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Chas.Contracts;
using Prometheus;

namespace Chas.Ingress.Traffic;

/// <summary>
/// The request-duration histogram of <see cref="Metrics.IngressMetrics"/> per deployment, read the way
/// Prometheus reads it: prometheus-net keeps bucket counts private and exports them only as text, so
/// the reporter scrapes its own registry (every few seconds, off the request path).
/// </summary>
internal static partial class LatencyBuckets
{
    public static async Task<Dictionary<string, LatencyHistogram>> ReadAsync(CollectorRegistry registry, CancellationToken ct)
    {
        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text, ct);
        return Parse(Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length));
    }

    /// <summary>Deployment → histogram, from the exposition text's `_bucket`, `_count` and `_sum` series.</summary>
    public static Dictionary<string, LatencyHistogram> Parse(string text)
    {
        var buckets = new Dictionary<string, List<(double Le, long Count)>>(StringComparer.Ordinal);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match m in Sample().Matches(text))
        {
            var deployment = m.Groups["deployment"].Value;
            if (!double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            switch (m.Groups["series"].Value)
            {
                case "sum":
                    sums[deployment] = value;
                    break;
                case "count":
                    counts[deployment] = (long)value;
                    break;
                case "bucket" when double.TryParse(m.Groups["le"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var le) && double.IsFinite(le):
                    if (!buckets.TryGetValue(deployment, out var list)) buckets[deployment] = list = [];
                    list.Add((le, (long)value));
                    break;
            }
        }
        return counts.ToDictionary(kv => kv.Key, kv =>
        {
            var ordered = buckets.GetValueOrDefault(kv.Key)?.OrderBy(b => b.Le).ToList() ?? [];
            return new LatencyHistogram
            {
                BoundsSeconds = [.. ordered.Select(b => b.Le)],
                Counts = [.. ordered.Select(b => Math.Min(b.Count, kv.Value))],
                Count = kv.Value,
                SumSeconds = Math.Max(0, sums.GetValueOrDefault(kv.Key)),
            };
        }, StringComparer.Ordinal);
    }

    [GeneratedRegex("""^chas_ingress_request_duration_seconds_(?<series>bucket|count|sum)\{deployment="(?<deployment>[^"]*)"(,le="(?<le>[^"]+)")?\} (?<value>\S+)""", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
