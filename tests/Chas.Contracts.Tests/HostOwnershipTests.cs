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
    [InlineData("api.team.example.com", "team", "example.com", true)]
    [InlineData("*.team.example.com", "team", "example.com", true)]
    [InlineData("web.team.localhost", "team", "localhost", true)]
    [InlineData("127.0.0.1", "team", "example.com", false)]
    [InlineData("10.0.0.1", "0", "example.com", false)]             // a user named "0" is no owner of an IP
    [InlineData("chas.example.com", "example", "example.com", false)] // nor one named "example" of the gateway's name
    [InlineData("api.team.other.com", "team", "example.com", false)]
    [InlineData("team.example.com", "team", "example.com", false)]
    public void Users_may_name_hosts_under_their_namespaces_part_of_the_domain(string host, string ns, string domain, bool allowed)
    {
        Assert.Equal(allowed, HostOwnership.IsNamespaces(host, ns, domain));
    }
}
