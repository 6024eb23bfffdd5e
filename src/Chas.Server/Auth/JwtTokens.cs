using System.Text;
using Chas.Contracts;
using Chas.Server.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chas.Server.Auth;

/// <summary>Issues the short-lived JWTs of sign-in sessions (HS256 under the data directory's jwt-signing-key).</summary>
public sealed class JwtTokens(ServerSecrets secrets, ServerOptions options, TimeProvider time)
{
    public const string Issuer = "chas";
    public const string Audience = "chas-api";
    public const string NameClaim = "name";

    private readonly SymmetricSecurityKey _key = new(Encoding.UTF8.GetBytes(secrets.JwtSigningKey));

    public (string Token, DateTimeOffset ExpiresAt) Issue(UserResource user, string sessionId)
    {
        var now = time.GetUtcNow();
        var expires = now + options.AccessTokenLifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = new Dictionary<string, object> { [NameClaim] = user.Name, [Caller.SessionClaim] = sessionId },
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        };
        return (new JsonWebTokenHandler().CreateToken(descriptor), expires);
    }

    /// <summary>
    /// Lifetime is checked against the injected clock. Expiry has no skew; not-before has <see cref="NotBeforeSkew"/>:
    /// with several servers on one database, a token signed by a server whose clock runs a little ahead must still
    /// work at once on the others (it was issued at that moment anyway).
    /// </summary>
    public static readonly TimeSpan NotBeforeSkew = TimeSpan.FromSeconds(30);

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = _key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.Zero,
        NameClaimType = NameClaim,
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } e && e > now && (notBefore is not { } nb || nb <= now + NotBeforeSkew);
        },
    };
}
