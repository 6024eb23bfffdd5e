using Chas.Contracts;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Api;

/// <summary>What approve and reject share for tasks and deployments: reading the decision and recording who made it.</summary>
internal static class ApprovalDecisions
{
    /// <summary>The decision to record, or the problem with the request (a rejection must say why).</summary>
    public static async Task<(ApprovalRecord? Decision, IResult? Problem)> ReadAsync(HttpContext context, bool approve, DateTimeOffset now)
    {
        var by = RequestContext.CallerOf(context).Name;
        if (approve) return (new ApprovalRecord { State = ApprovalState.Approved, By = by, At = now }, null);
        var (body, problem) = await JsonBody.ReadAsync<RejectRequest>(context.Request);
        if (problem is not null) return (null, problem);
        if (string.IsNullOrWhiteSpace(body!.Reason)) return (null, Problems.Field("reason", "is required: say why"));
        if (body.Reason.Length > 1000) return (null, Problems.Field("reason", "must have at most 1000 characters"));
        return (new ApprovalRecord { State = ApprovalState.Rejected, By = by, Reason = body.Reason, At = now }, null);
    }
}
