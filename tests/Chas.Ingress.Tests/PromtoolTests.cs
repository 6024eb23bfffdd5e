using System.Net;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed class PromtoolTests : IAsyncLifetime
{
    private IngressHarness _h = null!;

    public async Task InitializeAsync() => _h = await IngressHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task The_ingress_metrics_pass_promtool_once_traffic_made_every_series()
    {
        await _h.AddBackendsAsync("web", 1);
        await _h.DeployAsync("web", "web", 1);
        await _h.WaitForDestinationsAsync("web.default.localhost", 1);
        await _h.SpreadAsync("web.default.localhost", 3);

        using var response = await _h.Client.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("chas_ingress_request_duration_seconds_bucket", text, StringComparison.Ordinal);
        await Promtool.AssertValidAsync(text);
    }
}
