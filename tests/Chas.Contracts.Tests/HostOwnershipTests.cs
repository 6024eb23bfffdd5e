using Chas.Contracts;

namespace Chas.Contracts.Tests;

/// <summary>One namespace's deployment cannot take another's traffic by naming its host.</summary>
public sealed class HostOwnershipTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static DeploymentResource Exposed(string ns, string name, DateTimeOffset created, params string[] hosts) => new()
    {
        Name = name,
        Namespace = ns,
        CreatedAt = created,
        Template = new WorkloadTemplate { Image = "x", Ports = [new PortMapping { ContainerPort = 8080 }] },
        Ingress = new IngressSpec { Hosts = hosts },
    };

    private static ServiceInfo Service(IReadOnlyList<ServiceInfo> services, string ns, string name) =>
        services.Single(s => s.Namespace == ns && s.Name == name);

    [Fact]
    public void A_name_under_another_namespace_is_refused_with_the_reason()
    {
        var services = ServiceCatalog.Build([Exposed("team", "web", T0), Exposed("default", "thief", T0.AddMinutes(-5), "web.team.localhost")], [],
            new Dictionary<string, string>());

        Assert.DoesNotContain("web.team.localhost", Service(services, "default", "thief").Hosts);
        Assert.Contains("namespace 'team'", Assert.Single(Service(services, "default", "thief").RefusedHosts), StringComparison.Ordinal);
        Assert.Contains("web.team.localhost", Service(services, "team", "web").Hosts);
    }

    [Fact]
    public void Any_other_name_goes_to_the_namespace_that_claimed_it_first_and_is_shared_within_it()
    {
        var services = ServiceCatalog.Build(
        [
            Exposed("shop", "v1", T0, "shop.example.com"),
            Exposed("shop", "v2", T0.AddMinutes(2), "shop.example.com"),
            Exposed("rival", "copy", T0.AddMinutes(1), "SHOP.example.com"),
        ], [], new Dictionary<string, string>());

        Assert.Contains("shop.example.com", Service(services, "shop", "v1").Hosts);
        Assert.Contains("shop.example.com", Service(services, "shop", "v2").Hosts); // a canary within the namespace
        Assert.DoesNotContain("shop.example.com", Service(services, "rival", "copy").Hosts);
        Assert.Contains("namespace 'shop'", Assert.Single(Service(services, "rival", "copy").RefusedHosts), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api.team.example.com", "team", true)]
    [InlineData("web.team.localhost", "team", true)]
    [InlineData("127.0.0.1", "team", false)]
    [InlineData("chas.example.com", "team", false)]
    [InlineData("team.example.com", "team", false)]
    [InlineData("api.other.example.com", "team", false)]
    public void Users_may_name_hosts_that_carry_their_namespace(string host, string ns, bool allowed)
    {
        Assert.Equal(allowed, HostOwnership.NamesNamespace(host, ns));
    }
}
