using Chas.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scalar.AspNetCore;

namespace Chas.Server.Hosting;

/// <summary>Builds the `chas server` web application: Kestrel, services, middleware and endpoints.</summary>
public static class ChasServerApp
{
    public static WebApplication Build(ServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "chas-server" });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddChasServer(options);
        configure?.Invoke(builder);

        var app = builder.Build();
        // Create the token files now, not on the first authenticated request: `chas server` tells
        // people where the node token is as soon as it starts.
        _ = app.Services.GetRequiredService<ServerSecrets>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthApi();
        app.MapTasksApi();
        app.MapNodesApi();
        app.MapDeploymentsApi();
        app.MapServicesApi();
        app.MapWatchApi();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("CHaS API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapGet("/", () => Results.Redirect("/docs")).ExcludeFromDescription().AllowAnonymous();
        // No catch-all route: it would also swallow requests that a route refused for their content
        // type (415). Unmatched requests get their problem document from UseStatusCodePages.
        return app;
    }
}
