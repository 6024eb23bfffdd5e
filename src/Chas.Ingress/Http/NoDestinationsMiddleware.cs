using Chas.Ingress.Metrics;
using Chas.Ingress.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Chas.Ingress.Http;

/// <summary>
/// First step of the proxy pipeline: a route whose deployments have no ready instance answers 503
/// with a sentence saying so, instead of YARP's empty 503.
/// </summary>
internal sealed class NoDestinationsMiddleware(RequestDelegate next, IngressMetrics metrics, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        if (proxy.AvailableDestinations.Count > 0)
        {
            await next(context);
            return;
        }
        var started = time.GetTimestamp();
        var deployments = RouteMetadata.DeploymentOf(proxy, null);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.RetryAfter = "1";
        var what = deployments.Contains(',', StringComparison.Ordinal) ? $"none of {deployments.Replace(",", ", ", StringComparison.Ordinal)} has a" : $"{deployments} has no";
        await context.Response.WriteAsync(
            $"chas ingress: {what} ready instance to take this request for {context.Request.Host}{context.Request.Path}.\n" +
            "Instances get traffic once they run and pass their readiness probe; see `chas ps` and `chas logs`.\n",
            context.RequestAborted);
        metrics.Record(deployments, StatusCodes.Status503ServiceUnavailable, time.GetElapsedTime(started));
    }
}
