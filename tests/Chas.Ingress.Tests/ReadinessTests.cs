using System.Diagnostics;
using System.Net;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed class ReadinessTests : IAsyncLifetime
{
    private IngressHarness _h = null!;

    public async Task InitializeAsync() => _h = await IngressHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task An_instance_that_stops_being_ready_gets_no_traffic_within_a_second_and_gets_it_back_when_ready()
    {
        var backends = await _h.AddBackendsAsync("web", 2);
        await _h.DeployAsync("web", "web", 2);
        await _h.WaitForDestinationsAsync("web.default.localhost", 2);
        var victim = backends[0].Name;

        var clock = Stopwatch.StartNew();
        await _h.Agent.SetReadyAsync(victim, ready: false);
        var lastHit = TimeSpan.Zero;
        while (clock.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            var sent = clock.Elapsed;
            var (status, body) = await _h.GetAsync("web.default.localhost");
            Assert.Equal(HttpStatusCode.OK, status);
            if (body == victim) lastHit = sent;
        }
        Assert.True(lastHit < TimeSpan.FromSeconds(1), $"{victim} still got a request sent {lastHit.TotalMilliseconds} ms after it became not ready");
        Assert.Equal(20, (await _h.SpreadAsync("web.default.localhost", 20)).GetValueOrDefault(backends[1].Name));

        await _h.Agent.SetReadyAsync(victim, ready: true);
        await _h.WaitForDestinationsAsync("web.default.localhost", 2);
        Assert.Contains(victim, (await _h.SpreadAsync("web.default.localhost", 4)).Keys);
    }
}
