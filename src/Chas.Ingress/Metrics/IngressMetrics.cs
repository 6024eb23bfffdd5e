using System.Globalization;
using Prometheus;

namespace Chas.Ingress.Metrics;

/// <summary>
/// Per-deployment request counters, durations and in-flight requests, in a registry of this ingress
/// alone (two ingresses in one process count apart). `/metrics` exports it as Prometheus text and
/// `/ingress/v1/stats` reads the same series back as JSON.
/// </summary>
public sealed class IngressMetrics
{
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Gauge _inFlight;

    public IngressMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("chas_ingress_requests_total", "Requests answered, by deployment and HTTP status code.",
            ["deployment", "code"]);
        _duration = factory.CreateHistogram("chas_ingress_request_duration_seconds", "Time from receiving a request to the end of its response, by deployment.",
            ["deployment"], new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        _inFlight = factory.CreateGauge("chas_ingress_requests_in_flight", "Requests being forwarded now, by deployment.", ["deployment"]);
    }

    public CollectorRegistry Registry { get; }

    public void RequestStarted(string deployment) => _inFlight.WithLabels(deployment).Inc();

    public void RequestEnded(string deployment, int statusCode, TimeSpan elapsed)
    {
        _inFlight.WithLabels(deployment).Dec();
        Record(deployment, statusCode, elapsed);
    }

    /// <summary>A request answered without being forwarded (e.g. 503: nothing ready).</summary>
    public void Record(string deployment, int statusCode, TimeSpan elapsed)
    {
        _requests.WithLabels(deployment, statusCode.ToString(CultureInfo.InvariantCulture)).Inc();
        _duration.WithLabels(deployment).Observe(elapsed.TotalSeconds);
    }

    /// <summary>The current value of every series, grouped by deployment (reading creates no series).</summary>
    public IReadOnlyList<DeploymentTraffic> Read()
    {
        var requests = _requests.GetAllLabelValues().ToLookup(l => l[0], StringComparer.Ordinal);
        var timed = _duration.GetAllLabelValues().Select(l => l[0]).ToHashSet(StringComparer.Ordinal);
        var inFlight = _inFlight.GetAllLabelValues().Select(l => l[0]).ToHashSet(StringComparer.Ordinal);
        var deployments = requests.Select(g => g.Key).Concat(timed).Concat(inFlight).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return [.. deployments.Select(deployment =>
        {
            var statuses = requests[deployment].ToDictionary(l => l[1], l => (long)_requests.WithLabels(l).Value, StringComparer.Ordinal);
            var (sum, count) = timed.Contains(deployment) ? (_duration.WithLabels(deployment).Sum, _duration.WithLabels(deployment).Count) : (0, 0);
            return new DeploymentTraffic
            {
                Deployment = deployment,
                Requests = statuses.Values.Sum(),
                ByStatus = statuses,
                InFlight = inFlight.Contains(deployment) ? (long)_inFlight.WithLabels(deployment).Value : 0,
                DurationSecondsSum = sum,
                DurationCount = count,
                MeanDurationMs = count == 0 ? 0 : sum / count * 1000,
            };
        })];
    }
}
