using Chas.Contracts;
using Chas.Server.Api;
using Chas.Server.State;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Auth;

/// <summary>
/// Records every mutating request (who, what, which object, result, when) in the <see cref="AuditLog"/>,
/// refused ones included. Node agents' reports and heartbeats are not audited: they are the
/// cluster talking to itself, many per second, and their effects show in the objects' state.
/// Endpoints marked <see cref="NotAudited"/> (an ingress's periodic traffic report) are left out for the same reason.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditLog audit, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method)
            || context.GetEndpoint()?.Metadata.GetMetadata<NotAudited>() is not null)
        {
            await next(context);
            return;
        }
        var at = time.GetUtcNow();
        try
        {
            await next(context);
        }
        finally
        {
            var caller = Caller.From(context.User);
            if (caller?.Kind != CallerKind.Node)
                audit.Record(new AuditEntry
                {
                    Time = at,
                    User = caller?.Name ?? "anonymous",
                    Method = context.Request.Method,
                    Path = context.Request.Path.Value ?? "",
                    Object = ObjectOf(context),
                    Status = context.Response.StatusCode,
                    ClientIp = context.Connection.RemoteIpAddress?.ToString(),
                });
        }
    }

    /// <summary>"tasks/default/web" from /api/v1/tasks/web?namespace=default; null when the route names no object.</summary>
    private static string? ObjectOf(HttpContext context)
    {
        if (context.Request.RouteValues["name"] is not string name) return null;
        var segments = (context.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kind = segments.Length > 2 ? segments[2] : "?";
        return kind is "tasks" or "deployments" ? $"{kind}/{RequestContext.NamespaceOf(context.Request)}/{name}" : $"{kind}/{name}";
    }
}

/// <summary>Endpoint metadata: periodic machine reports that would push real history out of the audit log.</summary>
public sealed record NotAudited;
