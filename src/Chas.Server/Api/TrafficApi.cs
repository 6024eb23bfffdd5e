using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>
/// Per-route traffic (seed 4): ingresses report what they counted every few seconds (the server does
/// not know where they are), and the CLI and dashboard read it summed over every ingress.
/// </summary>
public static class TrafficApi
{
    public static IEndpointRouteBuilder MapTrafficApi(this IEndpointRouteBuilder app)
    {
        // Ingresses run with the admin token (or an admin's API token).
        app.MapPut("/api/v1/ingresses/{name}/traffic", ReportAsync).WithTags("Traffic").RequireAccess(AccessLevel.Admin).WithMetadata(new NotAudited())
            .Accepts<TrafficReport>("application/json").Produces(StatusCodes.Status204NoContent).ProducesValidationProblem()
            .WithSummary("An ingress's latest per-route counters; kept in memory, forgotten 5 minutes after the last report.");
        app.MapGet("/api/v1/traffic", (HttpRequest request, TrafficReports reports) =>
                Results.Ok(reports.View(ns => RequestContext.Lists(request, ns))))
            .WithTags("Traffic").RequireAccess(AccessLevel.NamespaceList).Produces<TrafficView>()
            .WithSummary("Requests, rate, status classes and latency of every route of one namespace (?namespace=) or of all the caller can see, summed over the ingresses that reported in the last 30 s.");
        app.MapGet("/api/v1/services/{name}/traffic", ServiceTraffic)
            .WithTags("Services").RequireAccess(AccessLevel.NamespaceRead).Produces<RouteTraffic>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The traffic of one service (deployment) over the ingresses that reported in the last 30 s; zeros when none saw any.");
        return app;
    }

    private static async Task<IResult> ReportAsync(string name, HttpRequest request, TrafficReports reports)
    {
        if (!Validate.IsIngressName(name))
            return Problems.Field("name", $"at most {Validate.MaxIngressNameLength} letters, digits, '.', '-', '_' and ':'");
        var (report, problem) = await JsonBody.ReadAsync<TrafficReport>(request);
        if (problem is not null) return problem;
        var errors = Validate.TrafficReport(report!);
        if (!errors.IsEmpty) return Problems.Validation(errors);
        if (!reports.Put(name, report!))
            return Problems.Status(StatusCodes.Status429TooManyRequests, $"already {TrafficReports.MaxIngresses} ingresses report traffic; '{name}' is refused until one stops");
        return Results.NoContent();
    }

    private static IResult ServiceTraffic(string name, HttpRequest request, TrafficReports reports, ClusterCache cache)
    {
        var ns = RequestContext.NamespaceOf(request);
        var route = reports.View(n => n == ns).Routes.FirstOrDefault(r => r.Service == name);
        if (route is not null) return Results.Ok(route);
        if (cache.Deployment(DeploymentStore.Key(ns, name)) is null) return Problems.NotFound("service", name);
        return Results.Ok(new RouteTraffic { Namespace = ns, Service = name });
    }
}
