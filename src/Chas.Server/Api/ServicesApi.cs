using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.Hosting;
using Chas.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>Service discovery (seeds 1 and 4): exposed deployments and their ready endpoints.</summary>
public static class ServicesApi
{
    public static IEndpointRouteBuilder MapServicesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/services").WithTags("Services");
        group.MapGet("/", (HttpRequest request, ClusterCache cache, ServerOptions options) => Results.Ok(Catalog(request, cache, options))).RequireAccess(AccessLevel.NamespaceList)
            .Produces<IReadOnlyList<ServiceInfo>>().WithSummary("Every exposed deployment with its hosts, paths, policy and ready endpoints.");
        group.MapGet("/{name}/endpoints", (string name, HttpRequest request, ClusterCache cache, ServerOptions options) =>
        {
            var ns = RequestContext.NamespaceOf(request);
            var service = Catalog(request, cache, options).FirstOrDefault(s => s.Name == name && s.Namespace == ns);
            return service is null ? Problems.NotFound("service", name) : Results.Ok(service.Endpoints);
        }).RequireAccess(AccessLevel.NamespaceRead).Produces<IReadOnlyList<ServiceEndpoint>>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The ready endpoints (node address + host port) of one service.");
        return app;
    }

    private static List<ServiceInfo> Catalog(HttpRequest request, ClusterCache cache, ServerOptions options)
    {
        var all = ServiceCatalog.Build(cache.Deployments(), cache.Tasks(), cache.Nodes().ToDictionary(n => n.Name, n => n.Address, StringComparer.Ordinal),
            options.Domain.ToLowerInvariant());
        return all.Where(s => RequestContext.Lists(request, s.Namespace)).ToList();
    }
}
