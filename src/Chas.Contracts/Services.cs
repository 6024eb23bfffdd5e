using System.Text.Json.Serialization;

namespace Chas.Contracts;

/// <summary>How the ingress spreads a deployment's traffic over its ready instances.</summary>
public static class LoadBalancingPolicies
{
    public const string RoundRobin = "round-robin";
    public const string LeastRequests = "least-requests";
    public const string PowerOfTwo = "power-of-two";
    public const string Random = "random";
    public const string IpHash = "ip-hash";
    public const string Weighted = "weighted";

    public static IReadOnlyList<string> All { get; } = [RoundRobin, LeastRequests, PowerOfTwo, Random, IpHash, Weighted];
}

/// <summary>
/// How a deployment is reached through the ingress. Not part of the instance template: changing a
/// host or a policy re-routes traffic without restarting anything.
/// </summary>
public sealed record IngressSpec
{
    /// <summary>Extra host names; `&lt;name&gt;.&lt;namespace&gt;.&lt;domain&gt;` is always routed too.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];
    /// <summary>Path prefixes routed to the deployment (default "/").</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
    public string LoadBalancing { get; init; } = LoadBalancingPolicies.RoundRobin;
    /// <summary>Share of traffic when several deployments serve one host and path (a canary), relative to the others.</summary>
    public int Weight { get; init; } = 100;
    /// <summary>The container port traffic goes to (default: the first published port).</summary>
    public int? Port { get; init; }
}

/// <summary>One ready copy of a service, where the ingress and other services reach it.</summary>
public sealed record ServiceEndpoint
{
    public string Instance { get; init; } = "";
    public string Node { get; init; } = "";
    public string Address { get; init; } = "";
    public int Port { get; init; }
    [JsonIgnore] public string Url => $"http://{(Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]" : Address)}:{Port}";
}

/// <summary>An exposed deployment as service discovery sees it (GET /api/v1/services).</summary>
public sealed record ServiceInfo
{
    public string Name { get; init; } = "";
    public string Namespace { get; init; } = Namespaces.Default;
    public int ContainerPort { get; init; }
    public IReadOnlyList<string> Hosts { get; init; } = [];
    public IReadOnlyList<string> Paths { get; init; } = [];
    public string LoadBalancing { get; init; } = LoadBalancingPolicies.RoundRobin;
    public int Weight { get; init; } = 100;
    public IReadOnlyList<ServiceEndpoint> Endpoints { get; init; } = [];
    /// <summary>Extra hosts the deployment asked for but may not route (another namespace's), with the reason.</summary>
    public IReadOnlyList<string> RefusedHosts { get; init; } = [];
}

/// <summary>
/// The routing truth, computed the same way by the server's discovery API and by the ingress: which
/// deployments are exposed, on which hosts and paths, and which of their instances may get traffic —
/// running, ready, and not being stopped (so an instance leaves the ingress before it stops).
/// </summary>
public static class ServiceCatalog
{
    public const string DefaultDomain = "localhost";

    public static string DefaultHost(string name, string ns, string domain) => $"{name}.{ns}.{domain}";

    public static IReadOnlyList<ServiceInfo> Build(IEnumerable<DeploymentResource> deployments, IEnumerable<TaskResource> tasks,
        IReadOnlyDictionary<string, string> nodeAddresses, string domain = DefaultDomain)
    {
        var instances = tasks.Where(t => t.Deployment is not null)
            .GroupBy(t => (t.Namespace, t.Deployment!))
            .ToDictionary(g => g.Key, g => g.ToList());
        var services = new List<ServiceInfo>();
        var all = deployments as IReadOnlyCollection<DeploymentResource> ?? [.. deployments];
        var judge = HostOwnership.Judge(all, domain);
        foreach (var d in all.OrderBy(d => d.Namespace, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal))
        {
            var ingress = d.Ingress ?? new IngressSpec();
            var port = ingress.Port ?? (d.Template.Ports.Count > 0 ? d.Template.Ports[0].ContainerPort : (int?)null);
            if (port is null) continue;
            var endpoints = (instances.GetValueOrDefault((d.Namespace, d.Name)) ?? [])
                .Where(IsServing)
                .Select(i => (Instance: i, Published: i.PublishedPorts.FirstOrDefault(p => p.ContainerPort == port && p.Protocol == "tcp")))
                .Where(x => x.Published is not null && x.Instance.Node is not null)
                .Select(x => new ServiceEndpoint
                {
                    Instance = x.Instance.Name,
                    Node = x.Instance.Node!,
                    Address = AddressOf(x.Published!, x.Instance.Node!, nodeAddresses),
                    Port = x.Published!.HostPort,
                })
                .OrderBy(e => e.Instance, StringComparer.Ordinal)
                .ToList();
            var extra = ingress.Hosts.Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => h.ToLowerInvariant()).Distinct(StringComparer.Ordinal)
                .Select(h => (Host: h, Refusal: judge(d, h))).ToList();
            services.Add(new ServiceInfo
            {
                Name = d.Name,
                Namespace = d.Namespace,
                ContainerPort = port.Value,
                Hosts = [DefaultHost(d.Name, d.Namespace, domain), .. extra.Where(e => e.Refusal is null).Select(e => e.Host)],
                RefusedHosts = [.. extra.Select(e => e.Refusal).OfType<string>()],
                Paths = ingress.Paths.Count > 0 ? ingress.Paths : ["/"],
                LoadBalancing = ingress.LoadBalancing,
                Weight = ingress.Weight,
                Endpoints = endpoints,
            });
        }
        return services;
    }

    /// <summary>Running, ready and not on its way out.</summary>
    public static bool IsServing(TaskResource instance) =>
        instance.Status == TaskPhase.Running && instance.Ready && !instance.StopRequested;

    private static string AddressOf(PublishedPort port, string node, IReadOnlyDictionary<string, string> nodeAddresses) =>
        !string.IsNullOrEmpty(port.HostIp) && port.HostIp != "0.0.0.0" ? port.HostIp : nodeAddresses.GetValueOrDefault(node, "127.0.0.1");

    /// <summary>`CHAS_SERVICE_&lt;NAME&gt;_URL`: how a container finds the other services of its namespace.</summary>
    public static string EnvName(string service) => $"CHAS_SERVICE_{service.ToUpperInvariant().Replace('-', '_')}_URL";
}
