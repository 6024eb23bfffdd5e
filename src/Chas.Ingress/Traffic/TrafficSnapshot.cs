using Chas.Contracts;
using Chas.Ingress.Metrics;
using Chas.Ingress.Routing;
using Yarp.ReverseProxy;

namespace Chas.Ingress.Traffic;

/// <summary>
/// Turns what the ingress already counts — <see cref="IngressMetrics"/> (requests by status, the
/// duration histogram) and <see cref="BackendRequestCounter"/> — plus the routes YARP applies now
/// into one <see cref="RouteTraffic"/> per deployment, for the report to the server.
/// </summary>
internal sealed class TrafficSnapshot(IngressMetrics metrics, IProxyStateLookup proxy, BackendRequestCounter backends)
{
    private readonly RequestRateWindow _rates = new(TimeSpan.FromMinutes(1));

    /// <summary>The first reading, so that the first report already has a rate.</summary>
    public void Start(DateTimeOffset now) => _rates.Record(now, metrics.Read()
        .Select(t => (Deployment: DeploymentOf(t.Deployment), t.Requests))
        .Where(t => t.Deployment is not null)
        .GroupBy(t => t.Deployment!, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Sum(t => t.Requests), StringComparer.Ordinal));

    public async Task<IReadOnlyList<RouteTraffic>> TakeAsync(DateTimeOffset now, CancellationToken ct)
    {
        var latency = await LatencyBuckets.ReadAsync(metrics.Registry, ct);
        var counted = new Dictionary<string, Counted>(StringComparer.Ordinal);
        foreach (var traffic in metrics.Read())
        {
            if (DeploymentOf(traffic.Deployment) is not { } deployment) continue;
            var entry = counted.TryGetValue(deployment, out var existing) ? existing : counted[deployment] = new Counted();
            entry.Requests += traffic.Requests;
            foreach (var (code, count) in traffic.ByStatus) entry.Status = entry.Status.Add(StatusClassOf(code, count));
            if (latency.TryGetValue(traffic.Deployment, out var histogram)) entry.Latency = entry.Latency.Add(histogram) ?? entry.Latency;
        }
        var (hosts, endpoints) = Routing();
        foreach (var deployment in hosts.Keys) counted.TryAdd(deployment, new Counted());

        var rates = _rates.Record(now, counted.ToDictionary(kv => kv.Key, kv => kv.Value.Requests, StringComparer.Ordinal));
        return [.. counted.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
        {
            var slash = kv.Key.IndexOf('/', StringComparison.Ordinal);
            return new RouteTraffic
            {
                Namespace = kv.Key[..slash],
                Service = kv.Key[(slash + 1)..],
                Hosts = [.. hosts.GetValueOrDefault(kv.Key) ?? [] ],
                Requests = kv.Value.Requests,
                RequestsPerSecond = rates.GetValueOrDefault(kv.Key),
                Status = kv.Value.Status,
                Latency = kv.Value.Latency,
                P50Seconds = kv.Value.Latency.Quantile(0.5),
                P90Seconds = kv.Value.Latency.Quantile(0.9),
                P99Seconds = kv.Value.Latency.Quantile(0.99),
                Backends = [.. (endpoints.GetValueOrDefault(kv.Key) ?? []).Select(e => new BackendTraffic
                {
                    Endpoint = e.Endpoint,
                    Instance = e.Instance,
                    Requests = backends.RequestsTo(e.Address),
                })],
            };
        })];
    }

    /// <summary>Hosts and destinations of every deployment YARP routes to now.</summary>
    private (Dictionary<string, SortedSet<string>> Hosts, Dictionary<string, List<Destination>> Endpoints) Routing()
    {
        var hosts = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var route in proxy.GetRoutes())
        {
            var metadata = route.Config.Metadata;
            if (metadata?.GetValueOrDefault(RouteMetadata.Deployments) is not { } deployments || metadata.GetValueOrDefault(RouteMetadata.Host) is not { } host) continue;
            foreach (var deployment in deployments.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (DeploymentOf(deployment) is null) continue;
                if (!hosts.TryGetValue(deployment, out var set)) hosts[deployment] = set = new SortedSet<string>(StringComparer.Ordinal);
                set.Add(host);
            }
        }
        var endpoints = new Dictionary<string, List<Destination>>(StringComparer.Ordinal);
        foreach (var cluster in proxy.GetClusters())
            foreach (var (id, destination) in cluster.Destinations)
            {
                var config = destination.Model?.Config;
                if (config?.Metadata?.GetValueOrDefault(RouteMetadata.Deployment) is not { } deployment
                    || !Uri.TryCreate(config.Address, UriKind.Absolute, out var address)) continue;
                if (!endpoints.TryGetValue(deployment, out var list)) endpoints[deployment] = list = [];
                // Destination ids are "namespace/instance".
                var instance = id[(id.IndexOf('/', StringComparison.Ordinal) + 1)..];
                var endpoint = $"{address.Host}:{address.Port}";
                if (list.All(e => e.Endpoint != endpoint)) list.Add(new Destination(endpoint, instance, config.Address));
            }
        foreach (var list in endpoints.Values) list.Sort((a, b) => string.CompareOrdinal(a.Endpoint, b.Endpoint));
        return (hosts, endpoints);
    }

    /// <summary>
    /// "namespace/name" of a metrics key; null for gateway routes. A canary with nothing ready counts its
    /// 503s under "ns/a,ns/b": they go to the first deployment rather than twice or nowhere.
    /// </summary>
    private static string? DeploymentOf(string key)
    {
        var first = key.Split(',')[0];
        var slash = first.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && Validate.IsDns1123Label(first[..slash]) && Validate.IsDns1123Label(first[(slash + 1)..]) ? first : null;
    }

    private static StatusClassCounts StatusClassOf(string code, long count) => code.Length == 3 ? code[0] switch
    {
        '2' => new StatusClassCounts { Success = count },
        '3' => new StatusClassCounts { Redirection = count },
        '4' => new StatusClassCounts { ClientError = count },
        '5' => new StatusClassCounts { ServerError = count },
        _ => new StatusClassCounts(),
    } : new StatusClassCounts();

    private sealed class Counted
    {
        public long Requests;
        public StatusClassCounts Status = new();
        public LatencyHistogram Latency = new();
    }

    /// <param name="Endpoint">"address:port" as reported.</param>
    /// <param name="Address">The destination address YARP was given, as the backend counter keys it.</param>
    private sealed record Destination(string Endpoint, string Instance, string Address);
}
