using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Auth;

public static class AccessRules
{
    /// <summary>The API's endpoints with their rule; null rule means AllowAnonymous.</summary>
    public static IEnumerable<(RouteEndpoint Endpoint, AccessRule? Rule)> Of(IEndpointRouteBuilder app) =>
        app.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (e, e.Metadata.GetMetadata<IAllowAnonymous>() is null ? e.Metadata.GetMetadata<AccessRule>() : null));

    /// <summary>Refuses to start a server with an endpoint that neither declares an access rule nor allows anonymous calls.</summary>
    public static void EnsureDeclared(IEndpointRouteBuilder app)
    {
        var missing = app.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetMetadata<AccessRule>() is null)
            .Select(e => $"{string.Join(',', e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])} {e.RoutePattern.RawText}")
            .ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException("endpoints without an access rule (add RequireAccess or AllowAnonymous): " + string.Join("; ", missing));
    }
}
