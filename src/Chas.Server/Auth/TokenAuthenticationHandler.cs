using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Chas.Contracts;
using Chas.Server.Hosting;
using Chas.Server.State;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chas.Server.Auth;

/// <summary>
/// Opaque bearer tokens: the built-in admin token, the join token, node credentials and API tokens.
/// Sign-in JWTs go to the JwtBearer scheme instead (see <see cref="AuthenticationSetup"/>).
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ServerSecrets secrets, ApiTokenStore apiTokens, UserStore users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ChasToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = AuthenticationSetup.BearerOf(Request);
        if (token is null) return AuthenticateResult.NoResult();

        Caller? caller = null;
        if (Matches(token, secrets.AdminToken))
            caller = new Caller(Caller.BuiltInAdmin, CallerKind.User, Role.Admin, Namespaces.Default);
        else if (Matches(token, secrets.NodeToken))
            caller = new Caller("join", CallerKind.Join, Role.Viewer, Namespaces.Default);
        else if (OpaqueTokens.TryParseNodeCredential(secrets.NodeCredentialKey, token, out var node))
            caller = new Caller("node:" + node, CallerKind.Node, Role.Viewer, Namespaces.Default, node);
        else if (OpaqueTokens.TryParse(token, OpaqueTokens.ApiTokenPrefix, out var id, out var secret))
            caller = await ApiTokenCallerAsync(id, secret);

        return caller is null
            ? AuthenticateResult.Fail("invalid, expired or revoked token")
            : AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));
    }

    private async Task<Caller?> ApiTokenCallerAsync(string id, string secret)
    {
        var stored = await apiTokens.GetAsync(id, Context.RequestAborted);
        if (stored is null || !OpaqueTokens.Matches(secret, stored.Hash)) return null;
        if (stored.ExpiresAt is { } expires && expires <= TimeProvider.GetUtcNow()) return null;
        // The user's role is read now, not when the token was made: set-role and rm apply at once.
        var user = await users.GetAsync(stored.User, Context.RequestAborted);
        return user is null ? null : new Caller(user.Name, CallerKind.User, user.Role, user.Namespace);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => AuthenticationSetup.WriteChallengeAsync(Context, null);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthenticationSetup.WriteForbiddenAsync(Context);

    private static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}
