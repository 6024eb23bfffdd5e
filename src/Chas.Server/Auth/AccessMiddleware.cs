using Chas.Contracts;
using Chas.Server.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Auth;

/// <summary>
/// Enforces each endpoint's <see cref="AccessRule"/> after authentication. Objects in a namespace
/// the caller does not belong to answer 404, as if they did not exist; a namespace the caller sees
/// but may not change answers 403 naming the role needed.
/// </summary>
public sealed class AccessMiddleware(RequestDelegate next)
{
    internal const string NamespaceItem = "chas.namespace";
    internal const string VisibleItem = "chas.visible";

    public async Task InvokeAsync(HttpContext context, NamespaceAccess access)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            await next(context);
            return;
        }
        // Every mapped endpoint declares a rule (AccessRules.EnsureDeclared refuses to start otherwise);
        // endpoints without one are routing's own answers, such as 415 for a wrong content type.
        var rule = endpoint.Metadata.GetMetadata<AccessRule>();
        if (rule is null)
        {
            await next(context);
            return;
        }
        var caller = Caller.From(context.User);
        var denial = caller is null
            ? Problems.Status(StatusCodes.Status401Unauthorized, "a token is required")
            : await CheckAsync(context, rule.Level, caller, access);
        if (denial is not null)
        {
            await denial.ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static async Task<IResult?> CheckAsync(HttpContext context, AccessLevel level, Caller caller, NamespaceAccess access)
    {
        var ct = context.RequestAborted;
        switch (level)
        {
            case AccessLevel.NodeJoin:
                return caller.Kind == CallerKind.Join || caller.IsAdmin ? null : Forbidden("only the join token may join a node");
            case AccessLevel.NodeSelf:
                if (caller.IsAdmin) return null;
                return caller.Kind == CallerKind.Node && Equals(context.Request.RouteValues["name"] as string, caller.Node)
                    ? null : Forbidden(caller.Kind == CallerKind.Node ? "a node may only report about itself" : "only the node's own agent may call this");
            case AccessLevel.NodeReport:
                return caller.Kind == CallerKind.Node || caller.IsAdmin ? null : Forbidden("only node agents may call this");
        }

        if (caller.Kind == CallerKind.Node && level == AccessLevel.NamespaceList
            && context.Request.Query.TryGetValue("node", out var node) && node == caller.Node)
            return null; // an agent following its own assignments
        if (caller.Kind != CallerKind.User)
            return Forbidden(caller.Kind == CallerKind.Node ? "node credentials may not call user endpoints" : "the join token only joins nodes");

        switch (level)
        {
            case AccessLevel.Authenticated:
            case AccessLevel.ClusterRead:
                return null;
            case AccessLevel.ClusterOperate:
                return caller.Role >= Role.Operator ? null : Forbidden($"this needs the operator role; you are {caller.Role.ToWire()}");
            case AccessLevel.Admin:
                return caller.IsAdmin ? null : Forbidden($"this needs the admin role; you are {caller.Role.ToWire()}");
            case AccessLevel.NamespaceList when !context.Request.Query.ContainsKey("namespace"):
                context.Items[VisibleItem] = await access.VisibleAsync(caller, ct);
                return null;
        }

        var ns = RequestContext.NamespaceOf(context.Request);
        var needed = level switch
        {
            AccessLevel.NamespaceWrite => Role.User,
            AccessLevel.NamespaceApprove => Role.Operator,
            _ => Role.Viewer,
        };
        return await RequireAsync(context, access, caller, ns, needed);
    }

    /// <summary>
    /// Checks the caller holds <paramref name="needed"/> in <paramref name="ns"/>; handlers call it
    /// again when a body names another namespace than the query. Null when allowed.
    /// </summary>
    internal static async Task<IResult?> RequireAsync(HttpContext context, NamespaceAccess access, Caller caller, string ns, Role needed)
    {
        var invalid = new ValidationErrors();
        Validate.Name(invalid, "namespace", ns);
        if (!invalid.IsEmpty) return Problems.Validation(invalid);
        var role = await access.RoleInAsync(caller, ns, context.RequestAborted);
        if (role is null) return Problems.NotFound("namespace", ns);
        if (role < needed) return Forbidden($"this needs the {needed.ToWire()} role in namespace '{ns}'; you are {role.Value.ToWire()}");
        context.Items[NamespaceItem] = ns;
        return null;
    }

    private static IResult Forbidden(string detail) => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.", detail: detail);
}
