using System.Globalization;
using Yarp.ReverseProxy.Model;

namespace Chas.Ingress.Routing;

/// <summary>The metadata keys the ingress puts on YARP routes, clusters and destinations, and how to read them back.</summary>
internal static class RouteMetadata
{
    /// <summary>On a destination or a single-deployment cluster: "namespace/name".</summary>
    public const string Deployment = "chas.deployment";
    /// <summary>On a route: the deployments it serves, comma-separated (several for a canary).</summary>
    public const string Deployments = "chas.deployments";
    /// <summary>On a destination: its share of the cluster's traffic under the weighted policy.</summary>
    public const string Weight = "chas.weight";
    public const string Host = "chas.host";
    public const string PathPrefix = "chas.path";

    public static string DeploymentId(string ns, string name) => $"{ns}/{name}";

    public static string FormatWeight(double weight) => weight.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The destination's weight, 1 when none is set.</summary>
    public static double WeightOf(DestinationState destination) =>
        destination.Model?.Config.Metadata?.TryGetValue(Weight, out var text) == true
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) ? weight : 1;

    /// <summary>Who served (or would have served) the request: the chosen destination's deployment, else the route's.</summary>
    public static string DeploymentOf(IReverseProxyFeature proxy, DestinationState? destination)
    {
        if (destination?.Model?.Config.Metadata?.TryGetValue(Deployment, out var deployment) == true) return deployment;
        return proxy.Route.Config.Metadata?.TryGetValue(Deployments, out var deployments) == true ? deployments : proxy.Route.Config.RouteId;
    }
}
