using Chas.Ingress.Routing;
using Chas.Ingress.Watch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Chas.Ingress.Metrics;

/// <summary>
/// GET /ingress/v1/stats: the routes YARP is applying right now (with how many destinations each has
/// and how many passive health leaves available) and per-deployment traffic, as JSON for the dashboard.
/// </summary>
internal static class StatsApi
{
    public static IEndpointConventionBuilder MapIngressStats(this IEndpointRouteBuilder app) =>
        app.MapGet("/ingress/v1/stats", (IngressMetrics metrics, IProxyStateLookup proxy, ClusterInformers objects, TimeProvider time) =>
        {
            var stats = new IngressStats
            {
                At = time.GetUtcNow(),
                Synced = objects.Synced,
                Routes = [.. proxy.GetRoutes()
                    .OrderBy(r => r.Config.Order ?? 0).ThenBy(r => r.Config.RouteId, StringComparer.Ordinal)
                    .Select(r => new RouteStats
                    {
                        Host = r.Config.Metadata?.GetValueOrDefault(RouteMetadata.Host) ?? "*",
                        Path = r.Config.Metadata?.GetValueOrDefault(RouteMetadata.PathPrefix) ?? r.Config.Match.Path ?? "",
                        Deployments = (r.Config.Metadata?.GetValueOrDefault(RouteMetadata.Deployments) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
                        LoadBalancing = r.Cluster?.Model?.Config.LoadBalancingPolicy ?? "",
                        Destinations = r.Cluster?.DestinationsState?.AllDestinations.Count ?? 0,
                        // Counted from each destination's health, not YARP's available list: when all are out,
                        // HealthyOrPanic offers them all again, and the list would say none was taken out.
                        Available = r.Cluster?.DestinationsState?.AllDestinations.Count(d => d.Health.Passive != DestinationHealth.Unhealthy) ?? 0,
                    })],
                Deployments = metrics.Read(),
            };
            return Results.Json(stats, IngressJsonContext.Default.IngressStats);
        });
}
