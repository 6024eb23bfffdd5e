using Chas.Contracts;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed class CanaryTests : IAsyncLifetime
{
    private IngressHarness _h = null!;

    public async Task InitializeAsync() => _h = await IngressHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Two_deployments_sharing_a_host_split_traffic_by_weight_whatever_their_replica_counts()
    {
        await _h.AddBackendsAsync("stable", 3);
        await _h.AddBackendsAsync("canary", 1);
        await _h.DeployAsync("shop", "stable", 3, new IngressSpec { Hosts = ["shop.test"], Weight = 90, LoadBalancing = LoadBalancingPolicies.LeastRequests });
        await _h.DeployAsync("shop-canary", "canary", 1, new IngressSpec { Hosts = ["shop.test"], Weight = 10 });
        await _h.WaitForDestinationsAsync("shop.test", 4);

        var counts = await _h.SpreadAsync("shop.test", 2000, parallel: 8);

        var stable = counts.Where(c => c.Key.StartsWith("stable-", StringComparison.Ordinal)).Sum(c => c.Value);
        var canary = counts.GetValueOrDefault("canary-1");
        Assert.Equal(2000, stable + canary);
        Assert.InRange(canary / 2000.0, 0.05, 0.15);
        Assert.Equal(3, counts.Keys.Count(k => k.StartsWith("stable-", StringComparison.Ordinal)));
        // Each deployment keeps its own host too, with its own cluster.
        Assert.Equal("canary-1", (await _h.GetAsync("shop-canary.default.localhost")).Body);
    }
}
