using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Chas.Ingress.Http;

/// <summary>
/// CONNECT asks for a tunnel, which the ingress does not offer: 405 at once, as nginx answers. YARP would fail it
/// with a 502, a stack trace in the log and a 5xx counted against the deployment the host names.
/// </summary>
internal static class ConnectRefusal
{
    public static IApplicationBuilder UseConnectRefusal(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsConnect(context.Request.Method))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("chas ingress: CONNECT (a tunnel) is not offered here.\n", context.RequestAborted);
        });
}
