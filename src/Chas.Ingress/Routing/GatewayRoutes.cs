using Yarp.ReverseProxy.Configuration;

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

    public static ClusterConfig Cluster(IngressOptions options) => new()
    {
        ClusterId = ClusterId,
        Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal)
        {
            ["server"] = new DestinationConfig { Address = options.Server.ToString() },
        },
    };

    private static RouteConfig Route(string name, string path) => new()
    {
        RouteId = "gateway:" + name,
        ClusterId = ClusterId,
        Order = RouteOrder.Gateway,
        Match = new RouteMatch { Path = path },
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [RouteMetadata.Deployments] = DeploymentLabel },
    };
}
