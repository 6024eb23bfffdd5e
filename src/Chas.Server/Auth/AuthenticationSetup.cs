using Chas.Contracts;
using Chas.Server.State;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Chas.Server.Auth;

/// <summary>
/// One bearer scheme in front of two handlers: JWTs (sign-in sessions) go to JwtBearer, every other
/// token (admin, join, node credential, API token) to <see cref="TokenAuthenticationHandler"/>.
/// Every endpoint needs an authenticated caller unless it says AllowAnonymous.
/// </summary>
public static class AuthenticationSetup
{
    public const string SchemeName = "Chas";

    public static IServiceCollection AddChasAuthentication(this IServiceCollection services)
    {
        services.TryAddSingleton<UserStore>();
        services.TryAddSingleton<SessionStore>();
        services.TryAddSingleton<ApiTokenStore>();
        services.TryAddSingleton<InvitationStore>();
        services.TryAddSingleton<NamespaceStore>();
        services.TryAddSingleton<NamespaceAccess>();
        services.TryAddSingleton<JwtTokens>();
        services.TryAddSingleton<SignInService>();
        services.TryAddSingleton<SignInThrottle>();

        services.AddAuthentication(SchemeName)
            .AddPolicyScheme(SchemeName, "CHaS bearer tokens", o => o.ForwardDefaultSelector = context =>
                LooksLikeJwt(BearerOf(context.Request)) ? JwtBearerDefaults.AuthenticationScheme : TokenAuthenticationHandler.SchemeName)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<JwtTokens>((o, jwt) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = jwt.ValidationParameters();
                o.Events = new JwtBearerEvents
                {
                    // The handler reads only the Authorization header; BearerOf also knows the WebSockets' ?access_token=.
                    OnMessageReceived = context =>
                    {
                        context.Token = BearerOf(context.Request);
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = OnJwtValidatedAsync,
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        await WriteChallengeAsync(context.HttpContext, context.AuthenticateFailure);
                    },
                    OnForbidden = context => WriteForbiddenAsync(context.HttpContext),
                };
            });

        // No fallback policy: unknown paths answer 404. Every mapped endpoint declares an access rule
        // (which requires authentication) or AllowAnonymous, checked at startup and by the tests.
        var authenticated = new AuthorizationPolicyBuilder(SchemeName).RequireAuthenticatedUser().Build();
        services.AddAuthorizationBuilder().SetDefaultPolicy(authenticated);
        return services;
    }

    /// <summary>A JWT stays valid only while its session is and its user exists; the role is read now, not at sign-in.</summary>
    private static async Task OnJwtValidatedAsync(TokenValidatedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var sessionId = context.Principal?.FindFirst(Caller.SessionClaim)?.Value;
        var name = context.Principal?.FindFirst(JwtTokens.NameClaim)?.Value;
        var session = sessionId is null ? null : await services.GetRequiredService<SessionStore>().GetAsync(sessionId, context.HttpContext.RequestAborted);
        if (session is null || session.Revoked || session.User != name)
        {
            context.Fail("the session was signed out");
            return;
        }
        var user = await services.GetRequiredService<UserStore>().GetAsync(session.User, context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.Fail("the user no longer exists");
            return;
        }
        context.Principal = new Caller(user.Name, CallerKind.User, user.Role, user.Namespace).ToPrincipal(JwtBearerDefaults.AuthenticationScheme, session.Id);
    }

    public static string? BearerOf(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AccessTokenQueryOf(request);
        var token = header["Bearer ".Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>
    /// ?access_token= on the exec and forward WebSockets only: a browser (the dashboard's terminal) cannot set an
    /// Authorization header on a WebSocket. Nowhere else, because a token in a URL ends up in histories and proxy
    /// logs; these requests are GETs, which the audit log does not record, and ASP.NET's request logs are off.
    /// </summary>
    private static string? AccessTokenQueryOf(HttpRequest request)
    {
        var path = request.Path.Value;
        if (path is null || !path.StartsWith("/api/", StringComparison.Ordinal)
            || !(path.EndsWith("/exec", StringComparison.Ordinal) || path.EndsWith("/forward", StringComparison.Ordinal)))
            return null;
        var token = request.Query["access_token"].ToString().Trim();
        return token.Length == 0 ? null : token;
    }

    private static bool LooksLikeJwt(string? token) =>
        token is not null && token.StartsWith("eyJ", StringComparison.Ordinal) && token.Count(c => c == '.') == 2;

    public static async Task WriteChallengeAsync(HttpContext context, Exception? failure)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        var detail = failure switch
        {
            Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException or Microsoft.IdentityModel.Tokens.SecurityTokenInvalidLifetimeException =>
                "the access token has expired; refresh it (the CLI does so by itself) or sign in again: chas login",
            null when BearerOf(context.Request) is null =>
                "a token is required (Authorization: Bearer <token>): sign in with `chas login`, or use the admin token `chas dev` writes to <data-dir>/admin-token",
            _ => "the token is invalid, expired or revoked; sign in again: chas login",
        };
        await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized.", detail: detail).ExecuteAsync(context);
    }

    public static async Task WriteForbiddenAsync(HttpContext context)
    {
        if (context.Response.HasStarted) return;
        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.", detail: "this token may not call this endpoint").ExecuteAsync(context);
    }
}
