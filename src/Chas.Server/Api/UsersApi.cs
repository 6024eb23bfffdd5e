using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Chas.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>Admins manage users (seed 2): create with a role, list, change the role, remove.</summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/v1/users").WithTags("Users").RequireAccess(AccessLevel.Admin);
        users.MapGet("/", ListAsync).Produces<IReadOnlyList<UserView>>().WithSummary("List users.");
        users.MapPost("/", CreateAsync).Accepts<CreateUserRequest>("application/json")
            .Produces<UserView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create a user with a password and a role; their personal namespace comes with them.");
        users.MapPut("/{name}/role", SetRoleAsync).Accepts<SetRoleRequest>("application/json")
            .Produces<UserView>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Change a user's role.");
        users.MapDelete("/{name}", DeleteAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Remove a user: their sessions and API tokens stop working at once. Their personal namespace goes too when it is empty; one that holds workloads stays.");
        return app;
    }

    private static async Task<IResult> ListAsync(HttpContext context, UserStore users)
    {
        var (items, _) = await users.ListAsync(context.RequestAborted);
        return Results.Ok(items.OrderBy(u => u.Name, StringComparer.Ordinal).Select(UserAdministration.View).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext context, UserAdministration admin)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateUserRequest>(context.Request);
        if (problem is not null) return problem;
        var errors = UserAdministration.Validate(body!.Name, body.Password);
        if (body.Role is null) errors.Add("role", "is required: viewer, user, operator or admin");
        else if (!Enum.IsDefined(body.Role.Value)) errors.Add("role", "must be viewer, user, operator or admin");
        if (body.Invite is not null) errors.Add("invite", "is only for signup");
        if (!errors.IsEmpty) return Problems.Validation(errors);
        try
        {
            var user = await admin.CreateAsync(body.Name!, body.Password!, body.Role!.Value, context.RequestAborted);
            return Results.Created($"/api/v1/users/{user.Name}", UserAdministration.View(user));
        }
        catch (ConflictException)
        {
            return Problems.Conflict($"the name '{body.Name}' is taken by a user or a namespace (a removed user's namespace that still holds workloads stays until an admin removes it)");
        }
    }

    private static async Task<IResult> SetRoleAsync(string name, HttpContext context, UserStore users)
    {
        var (body, problem) = await JsonBody.ReadAsync<SetRoleRequest>(context.Request);
        if (problem is not null) return problem;
        if (body!.Role is not { } role || !Enum.IsDefined(role)) return Problems.Field("role", "must be viewer, user, operator or admin");
        var updated = await users.UpdateAsync(name, u => u.Role == role ? null : u with { Role = role }, context.RequestAborted);
        return updated is null ? Problems.NotFound("user", name) : Results.Ok(UserAdministration.View(updated));
    }

    private static async Task<IResult> DeleteAsync(string name, HttpContext context, UserStore users, NamespaceStore namespaces,
        TaskStore tasks, DeploymentStore deployments, IObjectStore store)
    {
        var ct = context.RequestAborted;
        var user = await users.GetAsync(name, ct);
        if (user is null) return Problems.NotFound("user", name);
        // Their personal namespace goes with them when it is empty, so the name can be given again; one that still
        // holds workloads stays for an admin to look at (and keeps the name taken until it is removed).
        var personal = await namespaces.GetAsync(name, ct);
        var removeNamespace = personal is { ResourceVersion: > 0 } && personal.Owner == name && !await NamespaceContents.HoldsWorkloadsAsync(tasks, deployments, name, ct);
        try
        {
            // Sessions and API tokens check that their user exists on every request, so they die with it.
            List<WriteOp> writes = [WriteOp.Delete(UserStore.KindName, name, user.ResourceVersion)];
            if (removeNamespace) writes.Add(WriteOp.Delete(NamespaceStore.KindName, name, personal!.ResourceVersion));
            await store.CommitAsync(writes, ct);
            return Results.NoContent();
        }
        catch (ConflictException)
        {
            return Problems.Conflict($"user '{name}' changed meanwhile; try again");
        }
    }
}
