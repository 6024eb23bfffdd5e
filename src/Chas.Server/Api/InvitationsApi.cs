using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>Invitations (seeds 2 and 4): admins hand out codes that let people sign up with a role.</summary>
public static class InvitationsApi
{
    public static IEndpointRouteBuilder MapInvitationsApi(this IEndpointRouteBuilder app)
    {
        var invitations = app.MapGroup("/api/v1/invitations").WithTags("Invitations").RequireAccess(AccessLevel.Admin);
        invitations.MapGet("/", ListAsync).Produces<IReadOnlyList<InvitationView>>().WithSummary("List invitations (never their codes).");
        invitations.MapPost("/", CreateAsync).Accepts<CreateInvitationRequest>("application/json")
            .Produces<InvitationView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Create an invitation; the answer is the only place its code appears.");
        invitations.MapDelete("/{id}", DeleteAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Withdraw an invitation.");
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext context, InvitationStore invitations)
    {
        var (items, _) = await invitations.ListAsync(context.RequestAborted);
        return Results.Ok(items.OrderBy(i => i.CreatedAt).Select(i => View(i, null)).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext context, InvitationStore invitations, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateInvitationRequest>(context.Request);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        var role = body!.Role ?? Role.User;
        if (!Enum.IsDefined(role)) errors.Add("role", "must be viewer, user, operator or admin");
        var uses = body.Uses ?? 1;
        if (uses is < 1 or > 10_000) errors.Add("uses", "must be between 1 and 10000");
        var lifetime = body.ExpiresInSeconds ?? TimeSpan.FromDays(1).TotalSeconds;
        if (!double.IsFinite(lifetime) || lifetime <= 0 || lifetime > TimeSpan.FromDays(365).TotalSeconds)
            errors.Add("expiresInSeconds", "must be between 1 second and 365 days");
        if (!errors.IsEmpty) return Problems.Validation(errors);

        var now = time.GetUtcNow();
        var (id, secret, code) = OpaqueTokens.New(OpaqueTokens.InvitePrefix);
        var created = await invitations.CreateAsync(new InvitationResource
        {
            Id = id, Hash = OpaqueTokens.HashOf(secret), Role = role, UsesLeft = uses, ExpiresAt = now + TimeSpan.FromSeconds(lifetime),
            CreatedBy = RequestContext.CallerOf(context).Name, CreatedAt = now,
        }, context.RequestAborted);
        return Results.Created($"/api/v1/invitations/{id}", View(created, code));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, InvitationStore invitations)
    {
        var invitation = await invitations.GetAsync(id, context.RequestAborted);
        if (invitation is null) return Problems.NotFound("invitation", id);
        await invitations.DeleteAsync(invitation, context.RequestAborted);
        return Results.NoContent();
    }

    private static InvitationView View(InvitationResource i, string? code) =>
        new() { Id = i.Id, Role = i.Role, UsesLeft = i.UsesLeft, ExpiresAt = i.ExpiresAt, CreatedBy = i.CreatedBy, Code = code };
}
