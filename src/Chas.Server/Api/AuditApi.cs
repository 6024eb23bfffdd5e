using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>GET /api/v1/audit: who changed what, when, with which result (admins).</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", QueryAsync).RequireAccess(AccessLevel.Admin).WithTags("Audit")
            .Produces<IReadOnlyList<AuditEntry>>().ProducesValidationProblem()
            .WithSummary("Mutating requests, oldest first (?user=NAME&since=ISO-8601&limit=N, newest N kept).");
        return app;
    }

    private static async Task<IResult> QueryAsync(HttpContext context, AuditLog audit, string? user, string? since, int? limit)
    {
        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (!DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
                return Problems.Field("since", "must be an ISO 8601 time, e.g. 2026-11-23T08:00:00Z");
            from = parsed;
        }
        if (limit is < 1 or > 10_000) return Problems.Field("limit", "must be between 1 and 10000");
        return Results.Ok(await audit.QueryAsync(user, from, limit ?? 1000, context.RequestAborted));
    }
}
