using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Chas.Ingress.Routing;

/// <summary>
/// Gateway mode: the API (`/api/`), its description (`/openapi/`, `/docs`) and the dashboard (`/ui/`)
/// through the same port as the applications, on any host that no deployment claims for that path.
/// </summary>
internal static class GatewayRoutes
{
    public const string ClusterId = "chas-server";
    public const string DeploymentLabel = "(gateway)";

    public static IEnumerable<RouteConfig> Routes(IngressOptions options)
    {
        yield return Route("api", "/api/{**rest}");
        yield return Route("openapi", "/openapi/{**rest}");
        yield return Route("docs", "/docs/{**rest}");
        var dashboard = "/" + options.DashboardPath.Trim('/');
        var ui = Route("ui", "/ui/{**rest}");
        yield return dashboard == "/ui" ? ui : ui with
        {
            Transforms = [new Dictionary<string, string> { ["PathPattern"] = (dashboard == "/" ? "" : dashboard) + "/{**rest}" }],
        };
    }

    /// <summary>
    /// One server: that one, as it always was. Several (one cluster on one database): round-robin over those that
    /// are healthy, actively probed on `/readyz` (a server that lost its database is out too) and passively
    /// judged by the requests themselves; a browser's requests stick to one server (a cookie).
    /// </summary>
    public static ClusterConfig Cluster(IngressOptions options)
    {
        var servers = options.AllServers;
        if (servers.Count == 1)
            return new ClusterConfig
            {
                ClusterId = ClusterId,
                Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal)
                {
                    ["server"] = new DestinationConfig { Address = servers.Primary.ToString() },
                },
            };
        return new ClusterConfig
        {
            ClusterId = ClusterId,
            LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
            // A browser stays with one server: the dashboard is Blazor Server, whose circuit (and its data-protection
            // keys) live in that process. Clients without cookies (the CLI, agents) are still balanced per request;
            // when the server a cookie names is out, YARP's default failure policy picks another.
            SessionAffinity = new SessionAffinityConfig { Enabled = true, Policy = "HashCookie", AffinityKeyName = ".chas.server" },
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = options.GatewayHealthInterval,
                    Timeout = options.GatewayHealthInterval,
                    Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    Path = "/readyz",
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = Health.ConsecutiveFailuresHealthPolicy.PolicyName,
                    ReactivationPeriod = options.PassiveHealthReactivation,
                },
            },
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [ActiveFailuresThreshold] = "2" },
            Destinations = servers.Select((server, i) => (Id: $"server-{i + 1}", server))
                .ToDictionary(d => d.Id, d => new DestinationConfig { Address = d.server.ToString() }, StringComparer.Ordinal),
        };
    }

    /// <summary>YARP's metadata key for how many failed probes in a row take a destination out.</summary>
    private const string ActiveFailuresThreshold = "ConsecutiveFailuresHealthPolicy.Threshold";

    private static RouteConfig Route(string name, string path) => new()
    {
        RouteId = "gateway:" + name,
        ClusterId = ClusterId,
        Order = RouteOrder.Gateway,
        Match = new RouteMatch { Path = path },
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [RouteMetadata.Deployments] = DeploymentLabel },
    };
}
