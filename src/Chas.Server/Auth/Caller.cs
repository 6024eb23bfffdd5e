using System.Security.Claims;
using Chas.Contracts;

namespace Chas.Server.Auth;

/// <summary>Who sent a request: a person (or their script), a node's agent, or an agent about to join.</summary>
public enum CallerKind
{
    User,
    Node,
    /// <summary>Holds the cluster's join token: may only exchange it for a node credential.</summary>
    Join,
}

/// <summary>The authenticated caller, read back from the claims the authentication handlers issue.</summary>
public sealed record Caller(string Name, CallerKind Kind, Role Role, string HomeNamespace, string? Node = null)
{
    public const string KindClaim = "chas:kind";
    public const string NamespaceClaim = "chas:ns";
    public const string NodeClaim = "chas:node";
    public const string SessionClaim = "sid";

    /// <summary>The name the built-in admin (admin token, `chas dev`) goes by.</summary>
    public const string BuiltInAdmin = "admin";

    public bool IsAdmin => Kind == CallerKind.User && Role == Role.Admin;

    public static Caller? From(ClaimsPrincipal principal)
    {
        if (principal.Identity is not { IsAuthenticated: true }) return null;
        var name = principal.FindFirstValue(ClaimTypes.Name);
        var kind = principal.FindFirstValue(KindClaim) switch
        {
            "user" => CallerKind.User,
            "node" => CallerKind.Node,
            "join" => CallerKind.Join,
            _ => (CallerKind?)null,
        };
        if (name is null || kind is null) return null;
        var role = Roles.TryParse(principal.FindFirstValue(ClaimTypes.Role), out var parsed) ? parsed : Role.Viewer;
        return new Caller(name, kind.Value, role, principal.FindFirstValue(NamespaceClaim) ?? Namespaces.Default, principal.FindFirstValue(NodeClaim));
    }

    public ClaimsPrincipal ToPrincipal(string scheme, string? sessionId = null)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, Name),
            new(KindClaim, Kind switch { CallerKind.Node => "node", CallerKind.Join => "join", _ => "user" }),
            new(NamespaceClaim, HomeNamespace),
        };
        if (Kind == CallerKind.User) claims.Add(new Claim(ClaimTypes.Role, Role.ToWire()));
        if (Node is not null) claims.Add(new Claim(NodeClaim, Node));
        if (sessionId is not null) claims.Add(new Claim(SessionClaim, sessionId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }
}
