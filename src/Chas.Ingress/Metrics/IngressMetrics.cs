using System.Collections.Concurrent;
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
    // The labelled children of one deployment, looked up once per request instead of three label lookups
    // (and a status code formatted) per request: part of the ingress's per-request cost (bench/README.md, ingress).
    private readonly ConcurrentDictionary<string, DeploymentSeries> _series = new(StringComparer.Ordinal);

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

    /// <summary>Counts a request as in flight; pass what it returns to <see cref="RequestEnded"/>.</summary>
    public DeploymentSeries RequestStarted(string deployment)
    {
        var series = SeriesOf(deployment);
        series.InFlight.Inc();
        return series;
    }

    public void RequestEnded(DeploymentSeries series, int statusCode, TimeSpan elapsed)
    {
        series.InFlight.Dec();
        series.Record(statusCode, elapsed);
    }

    /// <summary>A request answered without being forwarded (e.g. 503: nothing ready).</summary>
    public void Record(string deployment, int statusCode, TimeSpan elapsed) => SeriesOf(deployment).Record(statusCode, elapsed);

    private DeploymentSeries SeriesOf(string deployment) =>
        _series.TryGetValue(deployment, out var series) ? series : _series.GetOrAdd(deployment, d => new DeploymentSeries(this, d));

    /// <summary>
    /// One deployment's series. Its in-flight gauge and duration histogram are created on first use (as
    /// WithLabels would); a status code's counter on its first request with that code.
    /// </summary>
    public sealed class DeploymentSeries
    {
        private readonly IngressMetrics _metrics;
        private readonly string _deployment;
        private readonly ConcurrentDictionary<int, Counter.Child> _byStatus = new();
        private Histogram.Child? _duration;

        internal DeploymentSeries(IngressMetrics metrics, string deployment)
        {
            _metrics = metrics;
            _deployment = deployment;
        }

        internal Gauge.Child InFlight => field ??= _metrics._inFlight.WithLabels(_deployment);

        internal void Record(int statusCode, TimeSpan elapsed)
        {
            var requests = _byStatus.TryGetValue(statusCode, out var counter) ? counter
                : _byStatus.GetOrAdd(statusCode, code => _metrics._requests.WithLabels(_deployment, code.ToString(CultureInfo.InvariantCulture)));
            requests.Inc();
            (_duration ??= _metrics._duration.WithLabels(_deployment)).Observe(elapsed.TotalSeconds);
        }
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
