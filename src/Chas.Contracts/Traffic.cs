using System.Text.Json.Serialization;

namespace Chas.Contracts;

/// <summary>
/// The traffic one exposed deployment got through the ingress: counters since the ingress started,
/// the rate over the last minute, and the latency histogram of the ingress's `/metrics`.
/// </summary>
public sealed record RouteTraffic
{
    public string Namespace { get; init; } = Namespaces.Default;
    /// <summary>The deployment serving the route.</summary>
    public string Service { get; init; } = "";
    public IReadOnlyList<string> Hosts { get; init; } = [];
    /// <summary>Requests answered since the ingress started (summed over ingresses in a <see cref="TrafficView"/>).</summary>
    public long Requests { get; init; }
    /// <summary>Requests per second over the last minute.</summary>
    public double RequestsPerSecond { get; init; }
    public StatusClassCounts Status { get; init; } = new();
    public LatencyHistogram Latency { get; init; } = new();
    /// <summary>Estimated from <see cref="Latency"/>'s buckets (linear within a bucket, as Prometheus' histogram_quantile); 0 without requests.</summary>
    public double P50Seconds { get; init; }
    public double P90Seconds { get; init; }
    public double P99Seconds { get; init; }
    /// <summary>Requests forwarded to each ready instance, by endpoint (`address:port`).</summary>
    public IReadOnlyList<BackendTraffic> Backends { get; init; } = [];
}

/// <summary>Requests by status class. Others (1xx: WebSocket upgrades) count only in <see cref="RouteTraffic.Requests"/>.</summary>
public sealed record StatusClassCounts
{
    [JsonPropertyName("2xx")] public long Success { get; init; }
    [JsonPropertyName("3xx")] public long Redirection { get; init; }
    [JsonPropertyName("4xx")] public long ClientError { get; init; }
    [JsonPropertyName("5xx")] public long ServerError { get; init; }

    public StatusClassCounts Add(StatusClassCounts other) => new()
    {
        Success = Success + other.Success,
        Redirection = Redirection + other.Redirection,
        ClientError = ClientError + other.ClientError,
        ServerError = ServerError + other.ServerError,
    };
}

/// <summary>
/// A Prometheus histogram: <see cref="Counts"/>[i] requests took at most <see cref="BoundsSeconds"/>[i]
/// (cumulative); <see cref="Count"/> is every request, the `+Inf` bucket.
/// </summary>
public sealed record LatencyHistogram
{
    public IReadOnlyList<double> BoundsSeconds { get; init; } = [];
    public IReadOnlyList<long> Counts { get; init; } = [];
    public long Count { get; init; }
    public double SumSeconds { get; init; }

    /// <summary>The q-quantile (0 &lt; q &lt; 1) interpolated within its bucket; the last finite bound when it lies beyond; 0 when empty.</summary>
    public double Quantile(double q)
    {
        if (Count <= 0 || BoundsSeconds.Count == 0 || BoundsSeconds.Count != Counts.Count) return 0;
        var rank = q * Count;
        for (var i = 0; i < Counts.Count; i++)
        {
            if (Counts[i] < rank) continue;
            var lower = i == 0 ? 0 : BoundsSeconds[i - 1];
            var below = i == 0 ? 0 : Counts[i - 1];
            var inBucket = Counts[i] - below;
            return inBucket <= 0 ? BoundsSeconds[i] : lower + (BoundsSeconds[i] - lower) * ((rank - below) / inBucket);
        }
        return BoundsSeconds[^1];
    }

    /// <summary>The two histograms together; null when their buckets differ (they cannot be added).</summary>
    public LatencyHistogram? Add(LatencyHistogram other)
    {
        if (Count == 0 && BoundsSeconds.Count == 0) return other;
        if (other.Count == 0 && other.BoundsSeconds.Count == 0) return this;
        if (!BoundsSeconds.SequenceEqual(other.BoundsSeconds)) return null;
        return new LatencyHistogram
        {
            BoundsSeconds = BoundsSeconds,
            Counts = [.. Counts.Zip(other.Counts, (a, b) => a + b)],
            Count = Count + other.Count,
            SumSeconds = SumSeconds + other.SumSeconds,
        };
    }
}

public sealed record BackendTraffic
{
    /// <summary>`address:port` of the instance, as the ingress reaches it.</summary>
    public string Endpoint { get; init; } = "";
    /// <summary>The instance behind the endpoint, when the ingress still routes to it.</summary>
    public string? Instance { get; init; }
    public long Requests { get; init; }
}

/// <summary>PUT /api/v1/ingresses/{name}/traffic: what one ingress saw, every few seconds.</summary>
public sealed record TrafficReport
{
    public DateTimeOffset At { get; init; }
    public IReadOnlyList<RouteTraffic> Routes { get; init; } = [];
}

/// <summary>GET /api/v1/traffic: every route, summed over the ingresses that reported in the last 30 s.</summary>
public sealed record TrafficView
{
    public DateTimeOffset At { get; init; }
    /// <summary>The ingresses whose reports are included.</summary>
    public IReadOnlyList<string> Ingresses { get; init; } = [];
    public IReadOnlyList<RouteTraffic> Routes { get; init; } = [];
}

public static partial class Validate
{
    public const int MaxTrafficRoutes = 2_000;
    public const int MaxTrafficHosts = 64;
    public const int MaxTrafficBuckets = 64;
    public const int MaxTrafficBackends = 1_000;
    public const int MaxIngressNameLength = 253;

    /// <summary>An ingress name: its `host:port` by default; letters, digits, '.', '-', '_', ':'.</summary>
    public static bool IsIngressName(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxIngressNameLength
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':');

    public static ValidationErrors TrafficReport(TrafficReport report)
    {
        var errors = new ValidationErrors();
        if (report.Routes is null) errors.Add("routes", "is required");
        else if (report.Routes.Count > MaxTrafficRoutes) errors.Add("routes", $"at most {MaxTrafficRoutes}");
        else
        {
            var seen = new HashSet<(string?, string?)>();
            for (var i = 0; i < report.Routes.Count; i++)
            {
                Route(errors, $"routes[{i}]", report.Routes[i]);
                if (report.Routes[i] is { } r && !seen.Add((r.Namespace, r.Service)))
                    errors.Add($"routes[{i}]", $"'{r.Namespace}/{r.Service}' is reported twice");
            }
        }
        return errors;
    }

    private static void Route(ValidationErrors errors, string field, RouteTraffic? route)
    {
        if (route is null)
        {
            errors.Add(field, "must not be null");
            return;
        }
        Name(errors, $"{field}.namespace", route.Namespace);
        Name(errors, $"{field}.service", route.Service);
        if (route.Hosts is null || route.Hosts.Count > MaxTrafficHosts || route.Hosts.Any(h => h is null || h.Length > MaxIngressNameLength))
            errors.Add($"{field}.hosts", $"at most {MaxTrafficHosts} host names");
        if (route.Requests < 0) errors.Add($"{field}.requests", "must not be negative");
        if (!double.IsFinite(route.RequestsPerSecond) || route.RequestsPerSecond < 0) errors.Add($"{field}.requestsPerSecond", "must be a non-negative number");
        if (route.Status is not { Success: >= 0, Redirection: >= 0, ClientError: >= 0, ServerError: >= 0 })
            errors.Add($"{field}.status", "counts must not be negative");
        Histogram(errors, $"{field}.latency", route.Latency);
        if (route.Backends is null || route.Backends.Count > MaxTrafficBackends) errors.Add($"{field}.backends", $"at most {MaxTrafficBackends}");
        else if (route.Backends.Any(b => b is null || string.IsNullOrEmpty(b.Endpoint) || b.Endpoint.Length > MaxIngressNameLength
                     || b.Instance?.Length > MaxIngressNameLength || b.Requests < 0))
            errors.Add($"{field}.backends", "each needs an endpoint (address:port) and a non-negative count");
    }

    private static void Histogram(ValidationErrors errors, string field, LatencyHistogram? latency)
    {
        if (latency?.BoundsSeconds is null || latency.Counts is null)
        {
            errors.Add(field, "is required");
            return;
        }
        if (latency.BoundsSeconds.Count > MaxTrafficBuckets) errors.Add($"{field}.boundsSeconds", $"at most {MaxTrafficBuckets} buckets");
        else if (latency.BoundsSeconds.Count != latency.Counts.Count) errors.Add($"{field}.counts", "needs one count per bound");
        else if (latency.BoundsSeconds.Where((b, i) => !double.IsFinite(b) || b <= 0 || (i > 0 && b <= latency.BoundsSeconds[i - 1])).Any())
            errors.Add($"{field}.boundsSeconds", "must be positive, finite and increasing");
        else if (latency.Counts.Where((c, i) => c < 0 || (i > 0 && c < latency.Counts[i - 1]) || c > latency.Count).Any())
            errors.Add($"{field}.counts", "must be cumulative: non-decreasing, at most count");
        if (latency.Count < 0) errors.Add($"{field}.count", "must not be negative");
        if (!double.IsFinite(latency.SumSeconds) || latency.SumSeconds < 0) errors.Add($"{field}.sumSeconds", "must be a non-negative number");
    }
}
