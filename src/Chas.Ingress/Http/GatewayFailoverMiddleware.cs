using Chas.Ingress.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Chas.Ingress.Http;

/// <summary>
/// In the proxy pipeline, just before the forwarder: a gateway request (the API) whose server could not be
/// reached goes to another of the cluster's servers at once, so a client of the ingress does not see the seconds
/// it takes health checks to take a dead server out. As the client's own failover does, it sends again only what
/// cannot act twice: reads after any transport failure, writes only when no connection was made.
/// </summary>
internal sealed partial class GatewayFailoverMiddleware(RequestDelegate next, ILogger<GatewayFailoverMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        if (proxy.Route.Cluster is not { ClusterId: GatewayRoutes.ClusterId } cluster)
        {
            await next(context);
            return;
        }
        var tried = new HashSet<DestinationState>();
        while (true)
        {
            await next(context);
            if (context.Features.Get<IForwarderErrorFeature>() is not { } error || context.Response.HasStarted
                || !NothingActedOn(error, context.Request.Method) || proxy.ProxiedDestination is not { } failed)
                return;
            tried.Add(failed);
            var other = cluster.DestinationsState.AvailableDestinations.FirstOrDefault(d => !tried.Contains(d))
                ?? cluster.DestinationsState.AllDestinations.FirstOrDefault(d => !tried.Contains(d));
            if (other is null) return;
            LogRetried(logger, failed.DestinationId, other.DestinationId, error.Exception?.Message ?? error.Error.ToString());
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            proxy.AvailableDestinations = [other];
        }
    }

    private static bool NothingActedOn(IForwarderErrorFeature error, string method)
    {
        if (error.Error is not (ForwarderError.Request or ForwarderError.RequestTimedOut)) return false;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)) return true;
        return error.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Gateway: server {Failed} failed ({Reason}); request sent to {Next}")]
    private static partial void LogRetried(ILogger logger, string failed, string next, string reason);
}
