using Chas.Ingress.Routing;
using Chas.Ingress.Traffic;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Chas.Ingress.Metrics;

/// <summary>
/// Proxy pipeline step right after load balancing, when the destination (and so the deployment,
/// even inside a canary's combined cluster) is known: in-flight, status and duration per deployment,
/// and requests per backend.
/// </summary>
internal sealed class ProxyMetricsMiddleware(RequestDelegate next, IngressMetrics metrics, BackendRequestCounter backends, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var deployment = RouteMetadata.DeploymentOf(proxy, proxy.AvailableDestinations.Count == 1 ? proxy.AvailableDestinations[0] : null);
        var started = time.GetTimestamp();
        var series = metrics.RequestStarted(deployment);
        try
        {
            await next(context);
        }
        finally
        {
            metrics.RequestEnded(series, context.Response.StatusCode, time.GetElapsedTime(started));
            if (proxy.ProxiedDestination?.Model.Config.Address is { } address) backends.Forwarded(address);
        }
    }
}
