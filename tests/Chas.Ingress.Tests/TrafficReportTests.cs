using Chas.Contracts;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

/// <summary>The ingress reports its per-route counters to the server, where `GET /api/v1/traffic` shows them.</summary>
public sealed class TrafficReportTests : IAsyncLifetime
{
    private IngressHarness _h = null!;

    public async Task InitializeAsync() => _h = await IngressHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Requests_through_the_ingress_show_in_the_servers_traffic_view()
    {
        const int requests = 25;
        var backends = await _h.AddBackendsAsync("web", 2);
        await _h.DeployAsync("web", "web", 2);
        await _h.WaitForDestinationsAsync("web.default.localhost", 2);
        var answers = await _h.SpreadAsync("web.default.localhost", requests);
        Assert.Equal(requests, answers.Where(a => a.Key != "502" && a.Key != "503").Sum(a => a.Value));
        backends[0].FailWith = 502;
        backends[1].FailWith = 502;
        await _h.SpreadAsync("web.default.localhost", 2);

        var view = await Eventually.WaitAsync(() => _h.Server.Admin.GetTrafficAsync(),
            v => v.Routes.Any(r => r.Service == "web" && r.Status.Success >= requests && r.Status.ServerError >= 2),
            $"{requests} requests of default/web in the server's traffic view", TimeSpan.FromSeconds(20));

        var ingress = Assert.Single(view.Ingresses);
        Assert.EndsWith($":{_h.Url.Port}", ingress, StringComparison.Ordinal);
        var web = Assert.Single(view.Routes, r => r.Namespace == "default" && r.Service == "web");
        Assert.True(web.Requests >= requests + 2);
        Assert.Contains("web.default.localhost", web.Hosts);
        Assert.True(web.P99Seconds > 0, "p99 from the latency buckets");
        Assert.True(web.P50Seconds <= web.P99Seconds);
        Assert.Equal(web.Requests, web.Latency.Count);
        Assert.True(web.Latency.BoundsSeconds.Count > 0 && web.Latency.Counts[^1] <= web.Latency.Count);
        Assert.True(web.RequestsPerSecond > 0);
        // Both instances got a share (round-robin), counted per endpoint.
        Assert.Equal(backends.Select(b => $"127.0.0.1:{b.Port}").Order(StringComparer.Ordinal), web.Backends.Select(b => b.Endpoint));
        Assert.All(web.Backends, b => Assert.True(b.Requests > 0, $"{b.Endpoint} got no requests"));
        Assert.True(web.Backends.Sum(b => b.Requests) >= requests);

        var one = await _h.Server.Admin.GetServiceTrafficAsync("web", "default");
        Assert.Equal(web.Requests, one.Requests);
    }
}

/// <summary>The pieces the reporter builds its report from: the scraped histogram and the one-minute rate.</summary>
public sealed class TrafficSnapshotPartsTests
{
    [Fact]
    public void Latency_buckets_are_read_from_the_exposition_text_per_deployment()
    {
        const string text = """
            # HELP chas_ingress_request_duration_seconds Time ...
            # TYPE chas_ingress_request_duration_seconds histogram
            chas_ingress_request_duration_seconds_sum{deployment="default/web"} 0.25
            chas_ingress_request_duration_seconds_count{deployment="default/web"} 4
            chas_ingress_request_duration_seconds_bucket{deployment="default/web",le="0.002"} 1
            chas_ingress_request_duration_seconds_bucket{deployment="default/web",le="0.001"} 0
            chas_ingress_request_duration_seconds_bucket{deployment="default/web",le="+Inf"} 4
            chas_ingress_requests_total{deployment="default/web",code="200"} 4
            chas_ingress_request_duration_seconds_count{deployment="gateway-api"} 1
            """;
        var histograms = Traffic.LatencyBuckets.Parse(text);
        var web = histograms["default/web"];
        Assert.Equal([0.001, 0.002], web.BoundsSeconds);
        Assert.Equal([0L, 1], web.Counts);
        Assert.Equal(4, web.Count);
        Assert.Equal(0.25, web.SumSeconds);
        Assert.Equal(0.002, web.Quantile(0.99));
        Assert.Equal(1, histograms["gateway-api"].Count);
    }

    [Fact]
    public void The_rate_is_over_the_last_minute_of_readings()
    {
        var window = new Traffic.RequestRateWindow(TimeSpan.FromMinutes(1));
        var t0 = DateTimeOffset.UnixEpoch;
        Assert.Empty(window.Record(t0, new Dictionary<string, long> { ["default/web"] = 0 }));
        Assert.Equal(2, window.Record(t0.AddSeconds(30), new Dictionary<string, long> { ["default/web"] = 60 })["default/web"]);
        Assert.Equal(1, window.Record(t0.AddSeconds(60), new Dictionary<string, long> { ["default/web"] = 60, ["default/new"] = 60 })["default/new"]);
        // t0 has left the window: from t0+30s (60 requests) to t0+90s (240).
        Assert.Equal(3, window.Record(t0.AddSeconds(90), new Dictionary<string, long> { ["default/web"] = 240 })["default/web"]);
    }
}
