using System.Net;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;
using Chas.Server.State;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Server.Tests;

/// <summary>Per-route traffic: ingresses report, the server sums their reports and shows each caller only their namespaces.</summary>
public sealed class TrafficTests
{
    private static readonly double[] Bounds = [0.001, 0.002, 0.004, 0.008];

    private static RouteTraffic Route(string ns, string service, long requests, long[] cumulative, long errors = 0, string endpoint = "127.0.0.1:20000") => new()
    {
        Namespace = ns,
        Service = service,
        Hosts = [$"{service}.{ns}.localhost"],
        Requests = requests,
        RequestsPerSecond = requests / 60.0,
        Status = new StatusClassCounts { Success = requests - errors, ServerError = errors },
        Latency = new LatencyHistogram { BoundsSeconds = Bounds, Counts = cumulative, Count = requests, SumSeconds = requests * 0.003 },
        Backends = [new BackendTraffic { Endpoint = endpoint, Instance = $"{service}-1-abcde", Requests = requests }],
    };

    private static TrafficReport Report(params RouteTraffic[] routes) => new() { At = DateTimeOffset.UnixEpoch, Routes = routes };

    [Fact]
    public void Reports_of_several_ingresses_add_up_and_quantiles_come_from_the_summed_buckets()
    {
        var reports = new TrafficReports(new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        Assert.True(reports.Put("a:8000", Report(Route("default", "web", 10, [10, 10, 10, 10]))));
        Assert.True(reports.Put("b:8000", Report(Route("default", "web", 90, [0, 0, 90, 90], errors: 5, endpoint: "127.0.0.1:20001"))));

        var view = reports.View(_ => true);
        Assert.Equal(["a:8000", "b:8000"], view.Ingresses);
        var web = Assert.Single(view.Routes);
        Assert.Equal(100, web.Requests);
        Assert.Equal(100 / 60.0, web.RequestsPerSecond, 6);
        Assert.Equal(95, web.Status.Success);
        Assert.Equal(5, web.Status.ServerError);
        Assert.Equal([10L, 10, 100, 100], web.Latency.Counts);
        Assert.Equal(100, web.Latency.Count);
        // 10 requests ≤ 1 ms, 90 in (2 ms, 4 ms]: the median is at 4/9 of that bucket, the 99th percentile near its top.
        Assert.Equal(0.002 + 0.002 * (40.0 / 90), web.P50Seconds, 9);
        Assert.Equal(0.002 + 0.002 * (89.0 / 90), web.P99Seconds, 9);
        Assert.Equal(["127.0.0.1:20000", "127.0.0.1:20001"], web.Backends.Select(b => b.Endpoint));
        Assert.Equal(["web.default.localhost"], web.Hosts);
    }

    [Fact]
    public void A_report_leaves_the_view_after_30_seconds_and_is_forgotten_after_5_minutes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var reports = new TrafficReports(time);
        reports.Put("old:8000", Report(Route("default", "web", 10, [10, 10, 10, 10])));
        time.Advance(TimeSpan.FromSeconds(20));
        reports.Put("new:8000", Report(Route("default", "web", 5, [5, 5, 5, 5])));

        time.Advance(TimeSpan.FromSeconds(15));
        var view = reports.View(_ => true);
        Assert.Equal(["new:8000"], view.Ingresses);
        Assert.Equal(5, Assert.Single(view.Routes).Requests);

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(reports.View(_ => true).Routes);

        // Forgotten ingresses make room under the cap; fresh ones do not.
        time.Advance(TimeSpan.FromMinutes(5));
        for (var i = 0; i < TrafficReports.MaxIngresses; i++) Assert.True(reports.Put($"i{i}:8000", Report()));
        Assert.False(reports.Put("one-too-many:8000", Report()));
        Assert.True(reports.Put("i0:8000", Report()));
    }

    [Fact]
    public void Quantiles_of_an_empty_histogram_are_zero_and_of_the_overflow_the_last_bound()
    {
        Assert.Equal(0, new LatencyHistogram().Quantile(0.99));
        var slow = new LatencyHistogram { BoundsSeconds = Bounds, Counts = [0, 0, 0, 1], Count = 10 };
        Assert.Equal(0.008, slow.Quantile(0.99));
    }

    [Fact]
    public async Task The_api_sums_reports_and_shows_each_caller_only_the_namespaces_it_can_see()
    {
        await using var host = await AuthTestHost.StartAsync();
        var bob = await host.CreateUserAndLoginAsync("bob", Role.User);
        await host.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "quiet", Namespace = "default", Image = "nginx", Replicas = 0 });
        await host.Admin.ReportTrafficAsync("ingress-1:8000", Report(Route("default", "web", 10, [10, 10, 10, 10]), Route(bob.Namespace, "shop", 3, [1, 2, 3, 3])));
        await host.Admin.ReportTrafficAsync("ingress-2:8000", Report(Route("default", "web", 4, [0, 4, 4, 4])));

        var all = await host.Admin.GetTrafficAsync();
        Assert.Equal(["ingress-1:8000", "ingress-2:8000"], all.Ingresses);
        Assert.Equal([("default", "web", 14L), (bob.Namespace, "shop", 3L)],
            all.Routes.Select(r => (r.Namespace, r.Service, r.Requests)).OrderBy(r => r.Namespace == "default" ? 0 : 1));
        Assert.True(all.Routes.Single(r => r.Service == "web").P99Seconds > 0);

        using var asBob = host.Client(bob.AccessToken);
        var bobs = await asBob.GetTrafficAsync();
        var shop = Assert.Single(bobs.Routes);
        Assert.Equal((bob.Namespace, "shop", 3L), (shop.Namespace, shop.Service, shop.Requests));
        Assert.Equal(3, (await asBob.GetServiceTrafficAsync("shop")).Requests);
        var hidden = await Assert.ThrowsAsync<ChasApiException>(() => asBob.GetServiceTrafficAsync("web", "default"));
        Assert.Equal(HttpStatusCode.NotFound, hidden.Status);
        asBob.Namespace = "default";
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<ChasApiException>(() => asBob.GetTrafficAsync())).Status);

        Assert.Equal(14, (await host.Admin.GetServiceTrafficAsync("web", "default")).Requests);
        // A deployment no ingress saw: zeros; no such deployment: 404.
        var quiet = await host.Admin.GetServiceTrafficAsync("quiet", "default");
        Assert.Equal((0L, 0.0), (quiet.Requests, quiet.P99Seconds));
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<ChasApiException>(() => host.Admin.GetServiceTrafficAsync("nope", "default"))).Status);

        // Only admins (the ingress's token) report.
        var refused = await Assert.ThrowsAsync<ChasApiException>(() => asBob.ReportTrafficAsync("mine:8000", Report()));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
    }

    [Theory]
    [InlineData("""{"routes":[{"namespace":"default","service":"web","requests":-1,"latency":{}}]}""", "routes[0].requests")]
    [InlineData("""{"routes":[{"namespace":"Bad_NS","service":"web","latency":{}}]}""", "routes[0].namespace")]
    [InlineData("""{"routes":[{"namespace":"default","service":"web","latency":{"boundsSeconds":[0.1,0.2],"counts":[5,3],"count":5}}]}""", "routes[0].latency.counts")]
    [InlineData("""{"routes":[{"namespace":"default","service":"web","latency":{"boundsSeconds":[0.2,0.1],"counts":[0,0],"count":0}}]}""", "routes[0].latency.boundsSeconds")]
    [InlineData("""{"routes":[{"namespace":"default","service":"web","latency":{"boundsSeconds":[0.1],"counts":[],"count":0}}]}""", "routes[0].latency.counts")]
    [InlineData("""{"routes":[{"namespace":"default","service":"web","latency":{}},{"namespace":"default","service":"web","latency":{}}]}""", "routes[1]")]
    [InlineData("""{"routes":[{"namespace":"default","service":"web","latency":{},"backends":[{"endpoint":"","requests":1}]}]}""", "routes[0].backends")]
    [InlineData("""{"routes":[{"namespace":"default","service":"web","requests":"many"}]}""", "routes[0].requests")]
    [InlineData("""{"routes":[{"namespace":"default","service":"web","colour":"red"}]}""", "routes[0].colour")]
    [InlineData("""{"routes":null}""", "routes")]
    [InlineData("""[1,2]""", "body")]
    public async Task A_bad_report_is_a_400_naming_the_field(string body, string field)
    {
        await using var host = await AuthTestHost.StartAsync();
        var (status, text, response) = await host.SendAsync(HttpMethod.Put, "/api/v1/ingresses/ingress-1:8000/traffic", host.Secrets.AdminToken, body);
        response.Dispose();
        Assert.Equal(HttpStatusCode.BadRequest, status);
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {text}");
        Assert.Empty((await host.Admin.GetTrafficAsync()).Ingresses);
    }

    [Fact]
    public async Task An_ingress_name_with_odd_characters_is_a_400()
    {
        await using var host = await AuthTestHost.StartAsync();
        var (status, text, response) = await host.SendAsync(HttpMethod.Put, "/api/v1/ingresses/" + Uri.EscapeDataString("a b") + "/traffic", host.Secrets.AdminToken, "{}");
        response.Dispose();
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("name", text, StringComparison.Ordinal);
    }
}
