using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed partial class MetricsTests : IAsyncLifetime
{
    private IngressHarness _h = null!;

    public async Task InitializeAsync() => _h = await IngressHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Metrics_count_each_deployments_requests_in_prometheus_text_and_as_json()
    {
        var backends = await _h.AddBackendsAsync("web", 1);
        await _h.DeployAsync("web", "web", 1);
        await _h.WaitForDestinationsAsync("web.default.localhost", 1);
        // Waiting sent a probe or more; count from here.
        var before = await ScrapeAsync();
        var statsBefore = Assert.Single((await _h.StatsAsync()).Deployments, d => d.Deployment == "default/web");
        await _h.SpreadAsync("web.default.localhost", 7);
        backends[0].FailWith = 502;
        await _h.SpreadAsync("web.default.localhost", 2);

        var after = await ScrapeAsync();
        double Delta(string series) => after[series] - before.GetValueOrDefault(series);
        Assert.Equal(7, Delta("chas_ingress_requests_total{deployment=\"default/web\",code=\"200\"}"));
        Assert.Equal(2, Delta("chas_ingress_requests_total{deployment=\"default/web\",code=\"502\"}"));
        Assert.Equal(9, Delta("chas_ingress_request_duration_seconds_count{deployment=\"default/web\"}"));
        Assert.True(Delta("chas_ingress_request_duration_seconds_sum{deployment=\"default/web\"}") > 0);
        Assert.Equal(0, after["chas_ingress_requests_in_flight{deployment=\"default/web\"}"]);
        Assert.Contains("chas_ingress_request_duration_seconds_bucket{deployment=\"default/web\",le=\"+Inf\"}", after.Keys);

        var stats = await _h.StatsAsync();
        Assert.True(stats.Synced);
        var web = Assert.Single(stats.Deployments, d => d.Deployment == "default/web");
        Assert.Equal(9, web.Requests - statsBefore.Requests);
        Assert.Equal(7, web.ByStatus["200"] - statsBefore.ByStatus["200"]);
        Assert.Equal(2, web.ByStatus["502"]);
        Assert.Equal(9, web.DurationCount - statsBefore.DurationCount);
        Assert.Equal(after["chas_ingress_requests_total{deployment=\"default/web\",code=\"200\"}"], web.ByStatus["200"]);
        var route = Assert.Single(stats.Routes, r => r.Host == "web.default.localhost");
        Assert.Equal(["default/web"], route.Deployments);
        Assert.Equal(1, route.Destinations);
    }

    [Fact]
    public async Task Healthz_answers_ok_once_synced()
    {
        using var response = await _h.Client.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    private async Task<Dictionary<string, double>> ScrapeAsync()
    {
        using var response = await _h.Client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every sample line of the text exposition format, as "name{labels}" → value; throws on a malformed line.</summary>
    private static Dictionary<string, double> Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            samples[match.Groups["series"].Value] = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return samples;
    }

    [GeneratedRegex("""^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (?<value>[-+0-9.eE]+|NaN|[+-]Inf)( \d+)?$""")]
    private static partial Regex SampleLine();
}
