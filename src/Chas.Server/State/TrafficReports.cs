using System.Collections.Concurrent;
using Chas.Contracts;

namespace Chas.Server.State;

/// <summary>
/// The latest traffic report of each ingress, in memory only: the server does not know where the
/// ingresses are, so they report here. A report counts in the view for <see cref="Fresh"/>; an ingress
/// silent for <see cref="Forgotten"/> is dropped.
/// </summary>
public sealed class TrafficReports(TimeProvider time)
{
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Forgotten = TimeSpan.FromMinutes(5);
    /// <summary>A bound on memory whatever admins send; real clusters run a handful of ingresses.</summary>
    public const int MaxIngresses = 256;

    private readonly ConcurrentDictionary<string, (TrafficReport Report, DateTimeOffset ReceivedAt)> _latest = new(StringComparer.Ordinal);

    /// <summary>Keeps the report as the ingress's latest; false when too many ingresses already report.</summary>
    public bool Put(string ingress, TrafficReport report)
    {
        var now = time.GetUtcNow();
        Forget(now);
        if (!_latest.ContainsKey(ingress) && _latest.Count >= MaxIngresses) return false;
        // Receipt time, not the report's own: the ingress's clock may be off.
        _latest[ingress] = (report, now);
        return true;
    }

    /// <summary>Every route of the fresh reports, summed per (namespace, service), for the namespaces <paramref name="visible"/> admits.</summary>
    public TrafficView View(Func<string, bool> visible)
    {
        var now = time.GetUtcNow();
        Forget(now);
        var fresh = _latest.Where(kv => now - kv.Value.ReceivedAt <= Fresh).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var routes = fresh.SelectMany(kv => kv.Value.Report.Routes)
            .Where(r => visible(r.Namespace))
            .GroupBy(r => (r.Namespace, r.Service))
            .OrderBy(g => g.Key.Namespace, StringComparer.Ordinal).ThenBy(g => g.Key.Service, StringComparer.Ordinal)
            .Select(g => Sum(g.ToList()))
            .ToList();
        return new TrafficView { At = now, Ingresses = [.. fresh.Select(kv => kv.Key)], Routes = routes };
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (ingress, entry) in _latest)
            if (now - entry.ReceivedAt > Forgotten) _latest.TryRemove(KeyValuePair.Create(ingress, entry));
    }

    /// <summary>One route as several ingresses saw it: counts and rates add up, quantiles come from the summed buckets.</summary>
    private static RouteTraffic Sum(List<RouteTraffic> parts)
    {
        var latency = new LatencyHistogram();
        foreach (var part in parts)
            // An ingress with other buckets (another version) still counts requests, not latency.
            latency = latency.Add(part.Latency) ?? latency;
        return new RouteTraffic
        {
            Namespace = parts[0].Namespace,
            Service = parts[0].Service,
            Hosts = [.. parts.SelectMany(p => p.Hosts).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Requests = parts.Sum(p => p.Requests),
            RequestsPerSecond = parts.Sum(p => p.RequestsPerSecond),
            Status = parts.Aggregate(new StatusClassCounts(), (sum, p) => sum.Add(p.Status)),
            Latency = latency,
            P50Seconds = latency.Quantile(0.5),
            P90Seconds = latency.Quantile(0.9),
            P99Seconds = latency.Quantile(0.99),
            Backends = [.. parts.SelectMany(p => p.Backends)
                .GroupBy(b => b.Endpoint, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new BackendTraffic { Endpoint = g.Key, Instance = g.Select(b => b.Instance).FirstOrDefault(i => i is not null), Requests = g.Sum(b => b.Requests) })],
        };
    }
}
