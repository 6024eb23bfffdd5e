using Chas.Contracts;
using Chas.Ingress.LoadBalancing;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed class IpHashTests
{
    private static readonly string[] Destinations = ["default/web-1-aaaaa", "default/web-1-bbbbb", "default/web-1-ccccc", "default/web-1-ddddd", "default/web-1-eeeee"];
    private static readonly string[] Clients = [.. Enumerable.Range(0, 2000).Select(i => $"10.{i / 250}.{i % 250}.{(i * 7) % 251}")];

    [Fact]
    public void A_client_always_gets_the_same_destination_whatever_the_order_of_the_list()
    {
        var reversed = Destinations.Reverse().ToArray();
        foreach (var client in Clients)
            Assert.Equal(RendezvousHash.Pick(client, Destinations, d => d), RendezvousHash.Pick(client, reversed, d => d));
    }

    [Fact]
    public void Clients_spread_evenly()
    {
        var counts = Clients.GroupBy(c => RendezvousHash.Pick(c, Destinations, d => d)!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Destinations.Length, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 400 * 0.8, 400 * 1.2));
    }

    [Fact]
    public void Removing_a_destination_moves_only_its_own_clients()
    {
        var before = Clients.ToDictionary(c => c, c => RendezvousHash.Pick(c, Destinations, d => d)!);
        var removed = Destinations[2];
        var remaining = Destinations.Where(d => d != removed).ToArray();

        foreach (var client in Clients)
        {
            var after = RendezvousHash.Pick(client, remaining, d => d);
            if (before[client] != removed) Assert.Equal(before[client], after);
        }
        // ... and those clients spread over the others instead of piling onto one.
        var moved = Clients.Where(c => before[c] == removed).Select(c => RendezvousHash.Pick(c, remaining, d => d)).Distinct().Count();
        Assert.Equal(remaining.Length, moved);
    }

    [Fact]
    public async Task End_to_end_a_client_address_sticks_to_one_backend()
    {
        await using var h = await IngressHarness.StartAsync();
        await h.AddBackendsAsync("web", 3);
        await h.DeployAsync("web", "web", 3, new IngressSpec { LoadBalancing = LoadBalancingPolicies.IpHash });
        await h.WaitForDestinationsAsync("web.default.localhost", 3);

        var counts = await h.SpreadAsync("web.default.localhost", 30, parallel: 3);

        var only = Assert.Single(counts);
        Assert.Equal(30, only.Value);
        // It is the backend the hash names for 127.0.0.1 among the three destinations.
        var instances = (await h.Server.Admin.ListTasksAsync()).Items.Where(t => t.Deployment == "web").ToList();
        var expected = RendezvousHash.Pick("127.0.0.1", instances, t => $"{t.Namespace}/{t.Name}")!;
        Assert.Equal(expected.Node, only.Key);
    }
}
