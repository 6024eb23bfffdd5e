using Chas.Contracts;
using Chas.Ingress.Health;
using Chas.Ingress.LoadBalancing;
using Yarp.ReverseProxy.Configuration;

namespace Chas.Ingress.Routing;

/// <summary>
/// Pure: the service catalog → YARP routes and clusters. One route per (host, path prefix). A prefix
/// served by one deployment goes to that deployment's cluster with its own policy; one served by
/// several (a canary) goes to a combined cluster under the weighted policy, each destination weighted
/// deployment weight ÷ the deployment's ready endpoints, so the split follows the deployments'
/// weights whatever their replica counts.
/// </summary>
internal static class RouteTableBuilder
{
    /// <summary>HealthyOrPanic: when every destination failed, trying them all beats refusing everything.</summary>
    private const string AvailableDestinations = "HealthyOrPanic";

    private static readonly IReadOnlyDictionary<string, string> OriginalHost = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["RequestHeaderOriginalHost"] = "true",
    };

    private static readonly Comparer<(string Host, string Prefix)> ClaimOrder = Comparer<(string Host, string Prefix)>.Create((a, b) =>
    {
        var byHost = string.CompareOrdinal(a.Host, b.Host);
        return byHost != 0 ? byHost : string.CompareOrdinal(a.Prefix, b.Prefix);
    });

    public static RouteTable Build(IReadOnlyList<ServiceInfo> services, IngressOptions options)
    {
        var skipped = new List<string>();
        var claims = new SortedDictionary<(string Host, string Prefix), List<ServiceInfo>>(ClaimOrder);
        foreach (var service in services)
        {
            var id = RouteMetadata.DeploymentId(service.Namespace, service.Name);
            skipped.AddRange(service.RefusedHosts.Select(reason => $"{id}: host {reason}"));
            foreach (var host in service.Hosts.Select(h => h.ToLowerInvariant()).Distinct(StringComparer.Ordinal))
            {
                if (!IngressNames.IsValidHost(host))
                {
                    skipped.Add($"{id}: host '{host}' is not a host name");
                    continue;
                }
                foreach (var path in service.Paths)
                {
                    if (IngressNames.NormalizePrefix(path) is not { } prefix)
                    {
                        skipped.Add($"{id}: path '{path}' cannot be routed");
                        continue;
                    }
                    if (!claims.TryGetValue((host, prefix), out var claimants)) claims[(host, prefix)] = claimants = [];
                    if (!claimants.Contains(service)) claimants.Add(service);
                }
            }
        }

        var routes = new List<RouteConfig>();
        var clusters = new SortedDictionary<string, ClusterConfig>(StringComparer.Ordinal);
        foreach (var ((host, prefix), claimants) in claims)
        {
            ClusterConfig cluster = claimants.Count == 1 ? DeploymentCluster(claimants[0], options) : CanaryCluster(host, prefix, claimants, options);
            clusters.TryAdd(cluster.ClusterId, cluster);
            routes.Add(new RouteConfig
            {
                RouteId = host + prefix,
                ClusterId = cluster.ClusterId,
                Order = host == IngressNames.AnyHost ? RouteOrder.AnyHost : RouteOrder.Deployment,
                Match = new RouteMatch
                {
                    Hosts = host == IngressNames.AnyHost ? null : [host],
                    Path = RouteMatches.PathPattern(prefix),
                },
                // The app gets the name the client asked for, as behind nginx-ingress or Traefik (YARP would send the
                // destination's address): virtual hosts, absolute redirects and cookies depend on it.
                Transforms = [OriginalHost],
                Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [RouteMetadata.Deployments] = string.Join(',', claimants.Select(s => RouteMetadata.DeploymentId(s.Namespace, s.Name))),
                    [RouteMetadata.Host] = host,
                    [RouteMetadata.PathPrefix] = prefix,
                },
            });
        }

        if (options.Gateway)
        {
            routes.AddRange(GatewayRoutes.Routes(options));
            clusters.TryAdd(GatewayRoutes.ClusterId, GatewayRoutes.Cluster(options));
        }
        return new RouteTable(routes, [.. clusters.Values], skipped);
    }

    private static ClusterConfig DeploymentCluster(ServiceInfo service, IngressOptions options) => new()
    {
        ClusterId = RouteMetadata.DeploymentId(service.Namespace, service.Name),
        LoadBalancingPolicy = LoadBalancingPolicyNames.ToYarp(service.LoadBalancing),
        HealthCheck = PassiveHealth(options),
        Destinations = Destinations([service]),
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RouteMetadata.Deployment] = RouteMetadata.DeploymentId(service.Namespace, service.Name),
        },
    };

    private static ClusterConfig CanaryCluster(string host, string prefix, IReadOnlyList<ServiceInfo> services, IngressOptions options) => new()
    {
        ClusterId = $"canary:{host}{prefix}",
        LoadBalancingPolicy = LoadBalancingPolicies.Weighted,
        HealthCheck = PassiveHealth(options),
        Destinations = Destinations(services),
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RouteMetadata.Deployments] = string.Join(',', services.Select(s => RouteMetadata.DeploymentId(s.Namespace, s.Name))),
        },
    };

    private static Dictionary<string, DestinationConfig> Destinations(IReadOnlyList<ServiceInfo> services)
    {
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (service.Endpoints.Count == 0) continue;
            var deployment = RouteMetadata.DeploymentId(service.Namespace, service.Name);
            var weight = (double)service.Weight / service.Endpoints.Count;
            foreach (var endpoint in service.Endpoints)
            {
                destinations[$"{service.Namespace}/{endpoint.Instance}"] = new DestinationConfig
                {
                    Address = endpoint.Url,
                    Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        [RouteMetadata.Deployment] = deployment,
                        [RouteMetadata.Weight] = RouteMetadata.FormatWeight(weight),
                    },
                };
            }
        }
        return destinations;
    }

    private static HealthCheckConfig PassiveHealth(IngressOptions options) => new()
    {
        AvailableDestinationsPolicy = AvailableDestinations,
        Passive = new PassiveHealthCheckConfig
        {
            Enabled = true,
            Policy = ConsecutiveFailuresHealthPolicy.PolicyName,
            ReactivationPeriod = options.PassiveHealthReactivation,
        },
    };
}
