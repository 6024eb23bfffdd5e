using Chas.Contracts;
using Chas.Ingress.Health;
using Chas.Ingress.LoadBalancing;
using Chas.Ingress.Routing;

namespace Chas.Ingress.Tests;

public sealed class RouteTableBuilderTests
{
    private static readonly IngressOptions Options = new() { Server = new Uri("http://127.0.0.1:7070/"), Token = "t" };

    private static ServiceInfo Service(string name, int endpoints, int weight = 100, string policy = LoadBalancingPolicies.RoundRobin,
        string[]? hosts = null, string[]? paths = null) => new()
    {
        Name = name,
        Namespace = "default",
        ContainerPort = 8080,
        Hosts = [$"{name}.default.localhost", .. hosts ?? []],
        Paths = paths ?? ["/"],
        LoadBalancing = policy,
        Weight = weight,
        Endpoints = [.. Enumerable.Range(1, endpoints).Select(i => new ServiceEndpoint { Instance = $"{name}-1-{i}", Node = $"n{i}", Address = "10.0.0." + i, Port = 20000 + i })],
    };

    [Fact]
    public void One_route_per_host_and_prefix_to_the_deployments_cluster_with_its_policy()
    {
        var table = RouteTableBuilder.Build([Service("web", 2, policy: LoadBalancingPolicies.PowerOfTwo, hosts: ["www.example.com"], paths: ["/", "/api/"])], Options);

        Assert.Equal(["web.default.localhost/", "web.default.localhost/api", "www.example.com/", "www.example.com/api"], table.Routes.Select(r => r.RouteId));
        Assert.All(table.Routes, r => Assert.Equal("default/web", r.ClusterId));
        Assert.Equal("/api/{**rest}", table.Routes[1].Match.Path);
        Assert.Equal("/{**rest}", table.Routes[0].Match.Path);
        Assert.Equal(["www.example.com"], table.Routes[2].Match.Hosts);
        var cluster = Assert.Single(table.Clusters);
        Assert.Equal("PowerOfTwoChoices", cluster.LoadBalancingPolicy);
        Assert.Equal(ConsecutiveFailuresHealthPolicy.PolicyName, cluster.HealthCheck?.Passive?.Policy);
        Assert.Equal(["http://10.0.0.1:20001", "http://10.0.0.2:20002"], cluster.Destinations!.Values.Select(d => d.Address).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Deployments_sharing_a_host_get_one_weighted_cluster_weighted_per_ready_endpoint()
    {
        var table = RouteTableBuilder.Build([Service("shop", 3, weight: 90, hosts: ["shop.test"]), Service("shop-canary", 1, weight: 10, hosts: ["shop.test"])], Options);

        var shared = Assert.Single(table.Routes, r => r.RouteId == "shop.test/");
        var cluster = Assert.Single(table.Clusters, c => c.ClusterId == shared.ClusterId);
        Assert.Equal(LoadBalancingPolicies.Weighted, cluster.LoadBalancingPolicy);
        var weights = cluster.Destinations!.Values.GroupBy(d => d.Metadata![RouteMetadata.Deployment])
            .ToDictionary(g => g.Key, g => g.Sum(d => double.Parse(d.Metadata![RouteMetadata.Weight], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(90, weights["default/shop"], 6);
        Assert.Equal(10, weights["default/shop-canary"], 6);
        // Their own default hosts keep their own clusters.
        Assert.Equal("default/shop", Assert.Single(table.Routes, r => r.RouteId == "shop.default.localhost/").ClusterId);
    }

    [Fact]
    public void Hosts_and_paths_a_route_cannot_hold_are_skipped_with_a_reason_not_fatal()
    {
        var table = RouteTableBuilder.Build([Service("web", 1, hosts: ["bad..host", "*.ok.test", "*"], paths: ["/ok", "/{x}"])], Options);

        Assert.Equal(["*/ok", "*.ok.test/ok", "web.default.localhost/ok"], table.Routes.Select(r => r.RouteId));
        Assert.Null(Assert.Single(table.Routes, r => r.RouteId == "*/ok").Match.Hosts);
        Assert.Equal(RouteOrder.AnyHost, Assert.Single(table.Routes, r => r.RouteId == "*/ok").Order);
        Assert.Contains(table.Skipped, s => s.Contains("bad..host", StringComparison.Ordinal));
        Assert.Contains(table.Skipped, s => s.Contains("/{x}", StringComparison.Ordinal));
    }

    [Fact]
    public void Chas_policy_names_map_to_yarp_policies()
    {
        Assert.Equal("RoundRobin", LoadBalancingPolicyNames.ToYarp(LoadBalancingPolicies.RoundRobin));
        Assert.Equal("LeastRequests", LoadBalancingPolicyNames.ToYarp(LoadBalancingPolicies.LeastRequests));
        Assert.Equal("PowerOfTwoChoices", LoadBalancingPolicyNames.ToYarp(LoadBalancingPolicies.PowerOfTwo));
        Assert.Equal("Random", LoadBalancingPolicyNames.ToYarp(LoadBalancingPolicies.Random));
        Assert.Equal("ip-hash", LoadBalancingPolicyNames.ToYarp(LoadBalancingPolicies.IpHash));
        Assert.Equal("weighted", LoadBalancingPolicyNames.ToYarp(LoadBalancingPolicies.Weighted));
    }

    [Fact]
    public void The_gateway_adds_server_routes_after_the_deployments()
    {
        var table = RouteTableBuilder.Build([], Options with { Gateway = true, DashboardPath = "/dashboard/" });

        Assert.Equal(["/api/{**rest}", "/openapi/{**rest}", "/docs/{**rest}", "/ui/{**rest}"], table.Routes.Select(r => r.Match.Path));
        Assert.All(table.Routes, r => Assert.Equal(RouteOrder.Gateway, r.Order));
        Assert.Equal("/dashboard/{**rest}", table.Routes[3].Transforms![0]["PathPattern"]);
        Assert.Equal("http://127.0.0.1:7070/", Assert.Single(table.Clusters).Destinations!["server"].Address);
    }

    [Fact]
    public void With_several_servers_the_gateway_balances_over_them_and_checks_each_for_readiness()
    {
        var table = RouteTableBuilder.Build([], Options with { Gateway = true, OtherServers = [new Uri("http://127.0.0.2:7070")] });

        var cluster = Assert.Single(table.Clusters);
        Assert.Equal(["http://127.0.0.1:7070/", "http://127.0.0.2:7070/"], cluster.Destinations!.Values.Select(d => d.Address).Order());
        Assert.Equal("RoundRobin", cluster.LoadBalancingPolicy);
        var active = cluster.HealthCheck!.Active!;
        Assert.True(active.Enabled);
        Assert.Equal("/readyz", active.Path);
        Assert.Equal(TimeSpan.FromSeconds(1), active.Interval);
        Assert.Equal("2", cluster.Metadata!["ConsecutiveFailuresHealthPolicy.Threshold"]);
        Assert.True(cluster.HealthCheck.Passive!.Enabled);
    }
}
