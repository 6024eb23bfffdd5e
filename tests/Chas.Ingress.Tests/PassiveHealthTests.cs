using System.Diagnostics;
using System.Net;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed class PassiveHealthTests : IAsyncLifetime
{
    private static readonly TimeSpan Reactivation = TimeSpan.FromSeconds(1);
    private IngressHarness _h = null!;

    public async Task InitializeAsync() =>
        _h = await IngressHarness.StartAsync(o => o with { PassiveHealthReactivation = Reactivation });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_backend_failing_three_requests_in_a_row_is_taken_out_then_tried_again_after_the_period()
    {
        var backends = await _h.AddBackendsAsync("web", 2);
        var (healthy, failing) = (backends[0], backends[1]);
        await _h.DeployAsync("web", "web", 2);
        await _h.WaitForDestinationsAsync("web.default.localhost", 2);

        var hitsBefore = failing.Hits;
        failing.FailWith = 500;
        // Round-robin alternates, so the failing backend sees its 3 failures within about 6 requests;
        // then (once YARP applied the health change) every request goes to the healthy one.
        var consecutiveHealthy = 0;
        for (var i = 0; i < 40 && consecutiveHealthy < 20; i++)
        {
            var (status, body) = await _h.GetAsync("web.default.localhost");
            consecutiveHealthy = status == HttpStatusCode.OK && body == healthy.Name ? consecutiveHealthy + 1 : 0;
        }
        var takenOut = Stopwatch.StartNew();
        Assert.Equal(20, consecutiveHealthy);
        Assert.Equal(3, failing.Hits - hitsBefore);

        failing.FailWith = 0;
        var before = failing.Hits;
        await Eventually.WaitAsync(async () => (await _h.GetAsync("web.default.localhost")).Body, b => b == failing.Name,
            "the failed backend to get traffic again", TimeSpan.FromSeconds(5));
        Assert.True(takenOut.Elapsed > Reactivation * 0.5, $"back after only {takenOut.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(before + 1, failing.Hits);
    }
}
