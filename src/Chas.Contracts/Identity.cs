using System.Text.Json.Serialization;

namespace Chas.Contracts;

/// <summary>
/// What a caller may do, in increasing order (seed 2): viewer reads, user runs workloads,
/// operator approves work and manages nodes, admin manages users, namespaces and the audit log.
/// </summary>
[JsonConverter(typeof(WireEnumConverter<Role>))]
public enum Role
{
    [JsonStringEnumMemberName("viewer")] Viewer = 1,
    [JsonStringEnumMemberName("user")] User = 2,
    [JsonStringEnumMemberName("operator")] Operator = 3,
    [JsonStringEnumMemberName("admin")] Admin = 4,
}

public static class Roles
{
    public static string ToWire(this Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.User => "user",
        Role.Operator => "operator",
        Role.Admin => "admin",
        _ => role.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string? text, out Role role)
    {
        role = text?.ToLowerInvariant() switch
        {
            "viewer" => Role.Viewer,
            "user" => Role.User,
            "operator" => Role.Operator,
            "admin" => Role.Admin,
            _ => 0,
        };
        return role != 0;
    }
}

/// <summary>A person who signs in. The password hash never leaves the server (see <see cref="UserView"/>).</summary>
public sealed record UserResource
{
    public string Name { get; init; } = "";
    public Role Role { get; init; } = Role.User;
    /// <summary>PBKDF2-SHA256: "pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64".</summary>
    public string PasswordHash { get; init; } = "";
    /// <summary>The personal namespace created with the user.</summary>
    public string Namespace { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public long ResourceVersion { get; init; }
}

/// <summary>A user as the API shows it.</summary>
public sealed record UserView
{
    public string Name { get; init; } = "";
    public Role Role { get; init; }
    public string Namespace { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Body of POST /api/v1/users (admin) and of POST /api/v1/auth/signup (with an invitation code).</summary>
public sealed record CreateUserRequest
{
    public string? Name { get; init; }
    public string? Password { get; init; }
    /// <summary>Admins choose; signup takes the invitation's role.</summary>
    public Role? Role { get; init; }
    /// <summary>Signup only: the invitation code.</summary>
    public string? Invite { get; init; }
}

/// <summary>Body of PUT /api/v1/users/{name}/role.</summary>
public sealed record SetRoleRequest
{
    public Role? Role { get; init; }
}

/// <summary>Body of POST /api/v1/auth/login.</summary>
public sealed record LoginRequest
{
    public string? User { get; init; }
    public string? Password { get; init; }
}

/// <summary>Body of POST /api/v1/auth/refresh and /api/v1/auth/logout.</summary>
public sealed record RefreshRequest
{
    public string? RefreshToken { get; init; }
}

/// <summary>A sign-in: a short-lived JWT for requests and a refresh token to get the next one.</summary>
public sealed record LoginResponse
{
    public string AccessToken { get; init; } = "";
    public DateTimeOffset AccessTokenExpiresAt { get; init; }
    public string RefreshToken { get; init; } = "";
    public DateTimeOffset RefreshTokenExpiresAt { get; init; }
    public string User { get; init; } = "";
    public Role Role { get; init; }
    public string Namespace { get; init; } = "";
}

/// <summary>GET /api/v1/auth/whoami.</summary>
public sealed record WhoAmI
{
    public string Name { get; init; } = "";
    /// <summary>"user", "node" or "join".</summary>
    public string Kind { get; init; } = "user";
    public Role? Role { get; init; }
    public string? Namespace { get; init; }
    public IReadOnlyDictionary<string, Role> Namespaces { get; init; } = new Dictionary<string, Role>();
}

/// <summary>A sign-in session: what a refresh token and the JWTs issued from it hang on. Logout revokes it.</summary>
public sealed record SessionResource
{
    public string Id { get; init; } = "";
    public string User { get; init; } = "";
    /// <summary>SHA-256 of the refresh token's secret (hex).</summary>
    public string RefreshHash { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public bool Revoked { get; init; }
    public long ResourceVersion { get; init; }
}

/// <summary>An API token for scripts. The secret is shown once at creation; only its SHA-256 is kept.</summary>
public sealed record ApiTokenResource
{
    public string Id { get; init; } = "";
    public string User { get; init; } = "";
    public string? Description { get; init; }
    /// <summary>SHA-256 of the token's secret (hex). Never returned by the API.</summary>
    public string Hash { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public long ResourceVersion { get; init; }
}

/// <summary>An API token as listed (no hash).</summary>
public sealed record ApiTokenView
{
    public string Id { get; init; } = "";
    public string User { get; init; } = "";
    public string? Description { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Only in the answer to its creation.</summary>
    public string? Token { get; init; }
}

/// <summary>Body of POST /api/v1/tokens.</summary>
public sealed record CreateTokenRequest
{
    public string? Description { get; init; }
    /// <summary>Lifetime in seconds; null: does not expire.</summary>
    public double? ExpiresInSeconds { get; init; }
}

/// <summary>An invitation: a code that lets people sign up with a role, a number of times, until it expires.</summary>
public sealed record InvitationResource
{
    public string Id { get; init; } = "";
    /// <summary>SHA-256 of the code (hex).</summary>
    public string Hash { get; init; } = "";
    public Role Role { get; init; } = Role.User;
    public int UsesLeft { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public long ResourceVersion { get; init; }
}

/// <summary>An invitation as listed (no hash); <see cref="Code"/> only in the answer to its creation.</summary>
public sealed record InvitationView
{
    public string Id { get; init; } = "";
    public Role Role { get; init; }
    public int UsesLeft { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public string? Code { get; init; }
}

/// <summary>Body of POST /api/v1/invitations.</summary>
public sealed record CreateInvitationRequest
{
    public Role? Role { get; init; }
    public int? Uses { get; init; }
    public double? ExpiresInSeconds { get; init; }
}

/// <summary>One mutating request, as the audit log keeps it.</summary>
public sealed record AuditEntry
{
    public long Id { get; init; }
    public DateTimeOffset Time { get; init; }
    public string User { get; init; } = "";
    public string Method { get; init; } = "";
    public string Path { get; init; } = "";
    /// <summary>"kind/namespace/name" when the route names an object.</summary>
    public string? Object { get; init; }
    public int Status { get; init; }
    public string? ClientIp { get; init; }
}

/// <summary>Answer to POST /api/v1/nodes/{name}/join: the node's own credential, shown once.</summary>
public sealed record NodeCredential
{
    public string Node { get; init; } = "";
    public string Credential { get; init; } = "";
}
