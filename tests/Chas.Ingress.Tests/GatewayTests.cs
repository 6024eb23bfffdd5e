using System.Net;
using System.Net.Http.Headers;
using Chas.Contracts;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed class GatewayTests
{
    [Fact]
    public async Task The_gateway_forwards_the_api_but_a_deployments_host_still_wins()
    {
        await using var h = await IngressHarness.StartAsync(o => o with { Gateway = true });
        await h.AddBackendsAsync("web", 1);
        await h.DeployAsync("web", "web", 1);
        await h.WaitForDestinationsAsync("web.default.localhost", 1);

        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/deployments");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.Server.Secrets.AdminToken);
        using var response = await h.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"web\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal((HttpStatusCode.OK, "web-1"), await h.GetAsync("web.default.localhost", "/api/v1/deployments"));
        Assert.Equal((HttpStatusCode.OK, "web-1"), await h.GetAsync("web.default.localhost", "/metrics"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await h.GetAsync("localhost", "/api/v1/deployments")).Status);
    }
}
