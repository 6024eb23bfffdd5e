using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Chas.Ingress.Routing;

/// <summary>
/// A deployment's app gets the request target exactly as the client sent it, as behind nginx: YARP rebuilds the
/// path from the decoded one and escapes a literal '%' again, so `/pkg/%40scope%2Fname` reached the app as
/// `/pkg/%40scope%252Fname` and `%2F` could no longer be told from `%252F` (dotnet/yarp#1419). Only deployment
/// routes: the gateway's rewrite of the dashboard path needs YARP's own path.
/// </summary>
internal static class RawTargetForwarding
{
    public static void Apply(TransformBuilderContext builder)
    {
        if (builder.Route.Metadata?.ContainsKey(RouteMetadata.Host) != true) return;
        builder.AddRequestTransform(context =>
        {
            if (context.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is { } raw && IsSafeToForward(raw)
                && Uri.TryCreate(context.DestinationPrefix.TrimEnd('/') + raw, UriKind.Absolute, out var uri))
            {
                context.ProxyRequest.RequestUri = uri;
            }
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>
    /// Whether the app would read the raw target as the same path the route was chosen on. The route matched
    /// Kestrel's decoded path with dot segments removed; System.Uri and the app parse the raw target again, and
    /// read a backslash as '/', '#' as the end of the target (the query included), and an encoded dot segment as a step up. Any of those, and the
    /// origin-form aside, YARP's own (re-encoded) path is sent: `/public\..dmin` must not reach the app as
    /// `/admin` through the `/public` route.
    /// </summary>
    internal static bool IsSafeToForward(string raw)
    {
        if (raw.Length == 0 || raw[0] != '/' || raw.Contains('#')) return false;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? raw : raw[..query];
        if (path.Contains('\\')) return false;
        if (path.Contains("%2e", StringComparison.OrdinalIgnoreCase) || path.Contains("%5c", StringComparison.OrdinalIgnoreCase)) return false;
        foreach (var segment in path.Split('/'))
            if (segment is "." or "..") return false;
        return true;
    }
}
