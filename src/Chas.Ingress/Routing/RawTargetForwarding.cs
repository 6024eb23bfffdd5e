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
            // Origin-form only ("/path?query"); the absolute form a proxy client may send is left to YARP.
            if (context.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
                && Uri.TryCreate(context.DestinationPrefix.TrimEnd('/') + raw, UriKind.Absolute, out var uri))
            {
                context.ProxyRequest.RequestUri = uri;
            }
            return ValueTask.CompletedTask;
        });
    }
}
