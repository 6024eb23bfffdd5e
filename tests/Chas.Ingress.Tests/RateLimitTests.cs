using System.Net;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task A_client_over_its_requests_per_minute_gets_429_with_retry_after()
    {
        await using var h = await IngressHarness.StartAsync(o => o with { RateLimitPerMinute = 5 });

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.NotFound, (await h.GetAsync("nothing.default.localhost")).Status);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = "nothing.default.localhost";
        using var refused = await h.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Contains("5 requests per minute", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The ingress's own endpoints stay reachable for probes and scrapers.
        Assert.Equal(HttpStatusCode.OK, (await h.Client.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await h.Client.GetAsync("metrics")).StatusCode);
    }
}
