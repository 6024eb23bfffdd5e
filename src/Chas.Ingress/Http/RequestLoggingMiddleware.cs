using Chas.Ingress.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Model;

namespace Chas.Ingress.Http;

/// <summary>One log line per request: method, host and path, status, time, and who served it.</summary>
internal sealed partial class RequestLoggingMiddleware(RequestDelegate next, TimeProvider time, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var proxy = context.Features.Get<IReverseProxyFeature>();
            LogRequest(logger, context.Request.Method, context.Request.Host.Value ?? "", context.Request.Path.Value ?? "",
                context.Response.StatusCode, time.GetElapsedTime(started).TotalMilliseconds, ClientAddress.Of(context),
                proxy is null ? "-" : RouteMetadata.DeploymentOf(proxy, proxy.ProxiedDestination),
                proxy?.ProxiedDestination?.Model?.Config.Address ?? "-");
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "{Method} {Host}{Path} {Status} {ElapsedMs:0.0}ms client={Client} deployment={Deployment} destination={Destination}")]
    private static partial void LogRequest(ILogger logger, string method, string host, string path, int status, double elapsedMs,
        string client, string deployment, string destination);
}
