using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.State;
using Chas.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

public static class DeploymentsApi
{
    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/deployments").WithTags("Deployments").RequireAuthorization(Policies.User);
        group.MapGet("/", ListAsync).Produces<ResourceList<DeploymentResource>>().WithSummary("List deployments.");
        group.MapGet("/{name}", GetAsync).Produces<DeploymentResource>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Get one deployment.");
        group.MapPut("/{name}", ApplyAsync).Accepts<ApplyDeploymentRequest>("application/json")
            .Produces<DeploymentResource>().ProducesValidationProblem()
            .WithSummary("Create or update a deployment. A changed template starts a rolling update to a new revision.");
        group.MapPost("/{name}/scale", ScaleAsync).Accepts<ScaleRequest>("application/json")
            .Produces<DeploymentResource>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Change the number of replicas.");
        group.MapPost("/{name}/rollout/undo", UndoAsync)
            .Produces<DeploymentResource>().ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Roll back to the previous revision's template.");
        group.MapDelete("/{name}", DeleteAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Remove a deployment; its instances are stopped (drained out of the ingress first) and then forgotten.");
        return app;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, DeploymentStore store)
    {
        var (items, revision) = await store.ListAsync(request.HttpContext.RequestAborted);
        var ns = request.Query.ContainsKey("namespace") ? RequestContext.NamespaceOf(request) : null;
        return Results.Ok(new ResourceList<DeploymentResource>
        {
            Items = items.Where(d => ns is null || d.Namespace == ns).OrderBy(d => d.Name, StringComparer.Ordinal).ToList(),
            Revision = revision,
        });
    }

    private static async Task<IResult> GetAsync(string name, HttpRequest request, DeploymentStore store)
    {
        var deployment = await store.GetAsync(RequestContext.NamespaceOf(request), name, request.HttpContext.RequestAborted);
        return deployment is null ? Problems.NotFound("deployment", name) : Results.Ok(deployment);
    }

    private static async Task<IResult> ApplyAsync(string name, HttpRequest request, DeploymentStore store, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, ChasJsonContext.Default.ApplyDeploymentRequest);
        if (problem is not null) return problem;
        if (body!.Name is not null && body.Name != name) return Problems.Field("name", $"'{body.Name}' does not match the URL's '{name}'");
        body = body with { Name = name };
        var errors = Validate.Deployment(body);
        if (!errors.IsEmpty) return Problems.Validation(errors);

        var ns = body.Namespace ?? RequestContext.NamespaceOf(request);
        var template = DeploymentRevisions.TemplateOf(body);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var now = time.GetUtcNow();
            var existing = await store.GetAsync(ns, name, request.HttpContext.RequestAborted);
            try
            {
                if (existing is null)
                {
                    var created = await store.CreateAsync(DeploymentRevisions.New(name, ns, body, template, now), request.HttpContext.RequestAborted);
                    return Results.Created($"/api/v1/deployments/{name}", created);
                }
                var updated = DeploymentRevisions.Apply(existing, body, template, now);
                return Results.Ok(updated == existing ? existing : await store.UpdateAsync(updated, request.HttpContext.RequestAborted));
            }
            catch (ConflictException)
            {
                // Created or changed concurrently (often by the controller's status write): apply again on the new state.
            }
        }
        return Problems.Conflict($"deployment '{name}' keeps changing; try again");
    }

    private static async Task<IResult> ScaleAsync(string name, HttpRequest request, DeploymentStore store)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, ChasJsonContext.Default.ScaleRequest);
        if (problem is not null) return problem;
        var errors = new ValidationErrors();
        Validate.Scale(errors, body!.Replicas);
        if (!errors.IsEmpty) return Problems.Validation(errors);
        var updated = await store.UpdateAsync(RequestContext.NamespaceOf(request), name,
            d => d.Replicas == body.Replicas ? null : d with { Replicas = body.Replicas!.Value }, request.HttpContext.RequestAborted);
        return updated is null ? Problems.NotFound("deployment", name) : Results.Ok(updated);
    }

    private static async Task<IResult> UndoAsync(string name, HttpRequest request, DeploymentStore store, TimeProvider time)
    {
        string? refusal = null;
        var updated = await store.UpdateAsync(RequestContext.NamespaceOf(request), name, d =>
        {
            var previous = DeploymentRevisions.Previous(d);
            if (previous is null)
            {
                refusal = $"deployment '{name}' has no earlier revision to return to";
                return null;
            }
            return DeploymentRevisions.NewRevision(d, previous.Template, time.GetUtcNow(), $"rolled back to the template of revision {previous.Revision}");
        }, request.HttpContext.RequestAborted);
        if (updated is null) return Problems.NotFound("deployment", name);
        return refusal is null ? Results.Ok(updated) : Problems.Conflict(refusal);
    }

    private static async Task<IResult> DeleteAsync(string name, HttpRequest request, DeploymentStore store)
    {
        var ns = RequestContext.NamespaceOf(request);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var deployment = await store.GetAsync(ns, name, request.HttpContext.RequestAborted);
            if (deployment is null) return Problems.NotFound("deployment", name);
            try
            {
                // The deployment controller then stops its instances (drained out of the ingress first)
                // and forgets them once they have ended.
                await store.DeleteAsync(deployment, request.HttpContext.RequestAborted);
                return Results.NoContent();
            }
            catch (ConflictException)
            {
                // Its status changed meanwhile: read again.
            }
        }
        return Problems.Conflict($"deployment '{name}' keeps changing; try again");
    }
}
