using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Chas.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>Sign-in (seed 4): login, refresh, logout, signup with an invitation, and who am I.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Sign-in");
        auth.MapPost("/login", LoginAsync).AllowAnonymous().Accepts<LoginRequest>("application/json")
            .Produces<LoginResponse>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Sign in with a password: a short-lived JWT and a refresh token.");
        auth.MapPost("/refresh", RefreshAsync).AllowAnonymous().Accepts<RefreshRequest>("application/json")
            .Produces<LoginResponse>().ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithSummary("Trade a refresh token for a new JWT and a new refresh token (the old one stops working).");
        auth.MapPost("/logout", LogoutAsync).RequireAccess(AccessLevel.Authenticated)
            .Produces(StatusCodes.Status204NoContent).WithSummary("Revoke a sign-in session: its refresh token, or the session of the JWT used.");
        auth.MapPost("/signup", SignupAsync).AllowAnonymous().Accepts<CreateUserRequest>("application/json")
            .Produces<UserView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Create an account with an invitation code.");
        auth.MapGet("/whoami", WhoAmIAsync).RequireAccess(AccessLevel.ClusterRead)
            .Produces<WhoAmI>().WithSummary("The caller, their role and the namespaces they can use.");
        return app;
    }

    private static async Task<IResult> LoginAsync(HttpContext context, SignInService signIn, SignInThrottle throttle)
    {
        var (body, problem) = await JsonBody.ReadAsync<LoginRequest>(context.Request);
        if (problem is not null) return problem;
        if (await throttle.TryAttemptAsync(context.Connection.RemoteIpAddress?.ToString(), body!.User, context.RequestAborted) is { } wait) return TooMany(context, wait);
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(body.User)) errors.Add("user", "is required");
        if (string.IsNullOrEmpty(body.Password)) errors.Add("password", "is required");
        if (!errors.IsEmpty) return Problems.Validation(errors);
        if (body.User!.Length > 63 || body.Password!.Length > 1024) return BadCredentials();

        var answer = await signIn.LoginAsync(body.User, body.Password, context.RequestAborted);
        return answer is null ? BadCredentials() : Results.Ok(answer);
    }

    private static async Task<IResult> RefreshAsync(HttpContext context, SignInService signIn)
    {
        var (body, problem) = await JsonBody.ReadAsync<RefreshRequest>(context.Request);
        if (problem is not null) return problem;
        if (string.IsNullOrEmpty(body!.RefreshToken)) return Problems.Field("refreshToken", "is required");
        var answer = await signIn.RefreshAsync(body.RefreshToken, context.RequestAborted);
        return answer is null
            ? Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized.", detail: "the refresh token is invalid, expired or revoked; sign in again: chas login")
            : Results.Ok(answer);
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, SignInService signIn)
    {
        RefreshRequest? body = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            (body, var problem) = await JsonBody.ReadAsync<RefreshRequest>(context.Request);
            if (problem is not null) return problem;
        }
        var sessionId = context.User.FindFirst(Caller.SessionClaim)?.Value;
        await signIn.LogoutAsync(body?.RefreshToken, body?.RefreshToken is null ? sessionId : null, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> SignupAsync(HttpContext context, UserAdministration admin, InvitationStore invitations, SignInThrottle throttle, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateUserRequest>(context.Request);
        if (problem is not null) return problem;
        if (await throttle.TryAttemptAsync(context.Connection.RemoteIpAddress?.ToString(), "signup", context.RequestAborted) is { } wait) return TooMany(context, wait);
        var errors = UserAdministration.Validate(body!.Name, body.Password);
        if (string.IsNullOrEmpty(body.Invite)) errors.Add("invite", "is required: ask an admin for an invitation (chas invite create)");
        if (body.Role is not null) errors.Add("role", "comes from the invitation");
        if (!errors.IsEmpty) return Problems.Validation(errors);

        var ct = context.RequestAborted;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var invitation = OpaqueTokens.TryParse(body.Invite!, OpaqueTokens.InvitePrefix, out var id, out var secret) ? await invitations.GetAsync(id, ct) : null;
            if (invitation is null || !OpaqueTokens.Matches(secret, invitation.Hash) || invitation.UsesLeft <= 0 || invitation.ExpiresAt <= time.GetUtcNow())
                return Problems.Field("invite", "is unknown, used up or expired");
            // The use is counted in the same commit as the user, so two signups cannot share the last use.
            var used = invitation with { UsesLeft = invitation.UsesLeft - 1 };
            try
            {
                var user = await admin.CreateAsync(body.Name!, body.Password!, invitation.Role, ct, invitations.Write(used));
                return Results.Created($"/api/v1/users/{user.Name}", UserAdministration.View(user));
            }
            catch (ConflictException ex) when (ex.Kind == InvitationStore.KindName)
            {
                // Someone else used the invitation in between: look again.
            }
            catch (ConflictException)
            {
                return Problems.Conflict($"the name '{body.Name}' is taken; choose another");
            }
        }
        return Problems.Conflict("the invitation keeps changing; try again");
    }

    private static async Task<IResult> WhoAmIAsync(HttpContext context, NamespaceAccess access)
    {
        var caller = RequestContext.CallerOf(context);
        var roles = (await access.MembershipsAsync(caller, context.RequestAborted)).ToDictionary(m => m.Namespace.Name, m => m.Role, StringComparer.Ordinal);
        return Results.Ok(new WhoAmI { Name = caller.Name, Kind = "user", Role = caller.Role, Namespace = caller.HomeNamespace, Namespaces = roles });
    }

    private static IResult BadCredentials() =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized.", detail: "wrong user name or password");

    internal static IResult TooMany(HttpContext context, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.", detail: $"too many attempts; try again in {seconds} s");
    }
}
