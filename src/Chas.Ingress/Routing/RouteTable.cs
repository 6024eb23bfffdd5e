using Yarp.ReverseProxy.Configuration;

namespace Chas.Ingress.Routing;

/// <summary>One complete YARP configuration computed from the catalog, plus what had to be left out and why.</summary>
internal sealed record RouteTable(IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters, IReadOnlyList<string> Skipped)
{
    public static RouteTable Empty { get; } = new([], [], []);

    /// <summary>Same routes and clusters (YARP's config records compare by value).</summary>
    public bool SameRoutingAs(RouteTable other) => Routes.SequenceEqual(other.Routes) && Clusters.SequenceEqual(other.Clusters);
}
