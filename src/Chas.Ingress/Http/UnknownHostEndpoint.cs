using Chas.Ingress.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Ingress.Http;

/// <summary>
/// The fallback when no route matches the host and path: 404 saying which host came in and how to
/// expose a deployment there. Counted under the deployment label "(unrouted)".
/// </summary>
internal static class UnknownHostEndpoint
{
    public const string DeploymentLabel = "(unrouted)";

    public static IEndpointConventionBuilder MapUnknownHost(this IEndpointRouteBuilder app, IngressOptions options)
    {
        var metrics = app.ServiceProvider.GetRequiredService<IngressMetrics>();
        var time = app.ServiceProvider.GetRequiredService<TimeProvider>();
        return app.MapFallback("{**path}", async context =>
        {
            var started = time.GetTimestamp();
            var host = context.Request.Host.Host;
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(
                $"chas ingress: no deployment is exposed at host '{host}' for path '{context.Request.Path}'.\n" +
                $"A deployment that publishes a port is reachable at <name>.<namespace>.{options.Domain}; " +
                "list other host names under ingress.hosts (and path prefixes under ingress.paths) in its spec.\n",
                context.RequestAborted);
            metrics.Record(DeploymentLabel, StatusCodes.Status404NotFound, time.GetElapsedTime(started));
        });
    }
}
