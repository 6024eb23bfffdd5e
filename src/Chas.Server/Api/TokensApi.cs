using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>API tokens for scripts: shown once at creation, stored hashed, listed and revoked by their owner.</summary>
public static class TokensApi
{
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3650);

    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/v1/tokens").WithTags("API tokens").RequireAccess(AccessLevel.Authenticated);
        tokens.MapGet("/", ListAsync).Produces<IReadOnlyList<ApiTokenView>>().WithSummary("The caller's API tokens (never their secrets).");
        tokens.MapPost("/", CreateAsync).Accepts<CreateTokenRequest>("application/json")
            .Produces<ApiTokenView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Create an API token; the answer is the only place its secret appears.");
        tokens.MapDelete("/{id}", RevokeAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Revoke one of the caller's API tokens (admins: anyone's).");
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiTokenStore tokens)
    {
        var caller = RequestContext.CallerOf(context);
        var (items, _) = await tokens.ListAsync(context.RequestAborted);
        return Results.Ok(items.Where(t => t.User == caller.Name).OrderBy(t => t.CreatedAt).Select(t => View(t, null)).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiTokenStore tokens, UserStore users, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateTokenRequest>(context.Request);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        if (body!.ExpiresInSeconds is { } seconds && (!double.IsFinite(seconds) || seconds < 1 || seconds > MaxLifetime.TotalSeconds))
            errors.Add("expiresInSeconds", $"must be between 1 and {MaxLifetime.TotalSeconds:0} seconds");
        if (body.Description is { Length: > 200 }) errors.Add("description", "must have at most 200 characters");
        else if (body.Description is { } description && description.Any(char.IsControl))
            errors.Add("description", "must not contain control characters (it is printed in terminals)");
        if (!errors.IsEmpty) return Problems.Validation(errors);

        var caller = RequestContext.CallerOf(context);
        // The built-in admin is a token, not a stored user: an API token needs a user to hang on.
        if (await users.GetAsync(caller.Name, context.RequestAborted) is null)
            return Problems.Status(StatusCodes.Status409Conflict, $"'{caller.Name}' is not a stored user; create a user (chas user create) and sign in as them to make API tokens");

        var now = time.GetUtcNow();
        var (id, secret, token) = OpaqueTokens.New(OpaqueTokens.ApiTokenPrefix);
        var created = await tokens.CreateAsync(new ApiTokenResource
        {
            Id = id, User = caller.Name, Description = body.Description, Hash = OpaqueTokens.HashOf(secret), CreatedAt = now,
            ExpiresAt = body.ExpiresInSeconds is { } s ? now + TimeSpan.FromSeconds(s) : null,
        }, context.RequestAborted);
        return Results.Created($"/api/v1/tokens/{id}", View(created, token));
    }

    private static async Task<IResult> RevokeAsync(string id, HttpContext context, ApiTokenStore tokens)
    {
        var caller = RequestContext.CallerOf(context);
        var token = await tokens.GetAsync(id, context.RequestAborted);
        if (token is null || (token.User != caller.Name && !caller.IsAdmin)) return Problems.NotFound("token", id);
        await tokens.DeleteAsync(token, context.RequestAborted);
        return Results.NoContent();
    }

    private static ApiTokenView View(ApiTokenResource t, string? secret) =>
        new() { Id = t.Id, User = t.User, Description = t.Description, CreatedAt = t.CreatedAt, ExpiresAt = t.ExpiresAt, Token = secret };
}
