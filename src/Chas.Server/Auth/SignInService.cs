using Chas.Contracts;
using Chas.Server.Hosting;
using Chas.Server.State;
using Chas.Store;

namespace Chas.Server.Auth;

/// <summary>Sign-in sessions: a password buys a session (refresh token) and a JWT; refresh rotates the token; logout revokes.</summary>
public sealed class SignInService(UserStore users, SessionStore sessions, JwtTokens jwt, ServerOptions options, TimeProvider time)
{
    /// <summary>Null when the user name or password is wrong (the caller is not told which).</summary>
    public async Task<LoginResponse?> LoginAsync(string name, string password, CancellationToken ct)
    {
        var user = await users.GetAsync(name, ct);
        if (user is null)
        {
            PasswordHasher.VerifyNothing(password);
            return null;
        }
        if (!PasswordHasher.Verify(password, user.PasswordHash)) return null;

        var now = time.GetUtcNow();
        var (id, secret, refreshToken) = OpaqueTokens.New(OpaqueTokens.RefreshPrefix);
        var session = await sessions.CreateAsync(new SessionResource
        {
            Id = id, User = user.Name, RefreshHash = OpaqueTokens.HashOf(secret), CreatedAt = now, ExpiresAt = now + options.RefreshTokenLifetime,
        }, ct);
        return Answer(user, session, refreshToken);
    }

    /// <summary>Null when the refresh token is unknown, expired or revoked. The old refresh token stops working.</summary>
    public async Task<LoginResponse?> RefreshAsync(string refreshToken, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var session = await ValidSessionAsync(refreshToken, ct);
            if (session is null) return null;
            var user = await users.GetAsync(session.User, ct);
            if (user is null) return null;
            var (_, secret, _) = OpaqueTokens.New(OpaqueTokens.RefreshPrefix);
            try
            {
                var rotated = await sessions.UpdateAsync(session with { RefreshHash = OpaqueTokens.HashOf(secret) }, ct);
                return Answer(user, rotated, $"{OpaqueTokens.RefreshPrefix}_{session.Id}_{secret}");
            }
            catch (ConflictException)
            {
                // Two refreshes raced: the loser's token no longer matches and it gets null next round.
            }
        }
        return null;
    }

    /// <summary>Revokes the session of a refresh token, or the session a JWT belongs to.</summary>
    public async Task<bool> LogoutAsync(string? refreshToken, string? sessionId, CancellationToken ct)
    {
        var session = refreshToken is not null ? await ValidSessionAsync(refreshToken, ct)
            : sessionId is not null ? await sessions.GetAsync(sessionId, ct) : null;
        if (session is null) return false;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                await sessions.UpdateAsync(session with { Revoked = true }, ct);
                return true;
            }
            catch (ConflictException)
            {
                session = await sessions.GetAsync(session.Id, ct);
                if (session is null) return false;
            }
        }
        return false;
    }

    private async Task<SessionResource?> ValidSessionAsync(string refreshToken, CancellationToken ct)
    {
        if (!OpaqueTokens.TryParse(refreshToken, OpaqueTokens.RefreshPrefix, out var id, out var secret)) return null;
        var session = await sessions.GetAsync(id, ct);
        if (session is null || session.Revoked || session.ExpiresAt <= time.GetUtcNow() || !OpaqueTokens.Matches(secret, session.RefreshHash)) return null;
        return session;
    }

    private LoginResponse Answer(UserResource user, SessionResource session, string refreshToken)
    {
        var (token, expires) = jwt.Issue(user, session.Id);
        return new LoginResponse
        {
            AccessToken = token, AccessTokenExpiresAt = expires,
            RefreshToken = refreshToken, RefreshTokenExpiresAt = session.ExpiresAt,
            User = user.Name, Role = user.Role, Namespace = user.Namespace,
        };
    }
}
