using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Hosting;

/// <summary>
/// Times each request into <c>chas_http_request_duration_seconds</c>, labelled by route template (never the raw
/// path: names would make a series per object) so latency can be read per endpoint.
/// </summary>
internal sealed class HttpMetricsMiddleware(RequestDelegate next, ServerMetrics metrics, TimeProvider time)
{
    private const string Unmatched = "unmatched";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? Unmatched;
            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            metrics.RequestEnded(route, KnownMethod(context.Request.Method), status, time.GetElapsedTime(started));
        }
    }

    // A client may send any method name; only the usual ones become label values.
    private static string KnownMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method)
        || HttpMethods.IsPatch(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
            ? HttpMethods.GetCanonicalizedValue(method) : "OTHER";
}
