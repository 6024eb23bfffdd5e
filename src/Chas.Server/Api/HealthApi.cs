using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.Leadership;
using Chas.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        // Liveness: the process serves requests.
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        // Readiness: the store answers.
        app.MapGet("/readyz", async (HttpContext context, IObjectStore store, CancellationToken ct) =>
        {
            try
            {
                await store.GetAsync("meta", "readyz", ct);
                return Results.Text("ok");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                context.Response.Headers.RetryAfter = "1";
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, detail: $"store unavailable: {ex.Message}");
            }
        }).AllowAnonymous().ExcludeFromDescription();
        // Which server leads: every server answers, leader or not.
        app.MapGet("/api/v1/leadership", (LeaderElection election) => new LeadershipStatus
        {
            ServerId = election.ServerId,
            IsLeader = election.IsLeader,
            Leader = election.Leader,
            Term = election.CurrentTerm?.Fence?.Token,
        }).WithTags("Cluster").RequireAccess(AccessLevel.ClusterRead);
        return app;
    }
}
