using Chas.Dashboard.Hosting;
using Chas.Server.Api;
using Chas.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
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
        // The slim builder leaves out what binds https:// URLs; TLS brings it back.
        if (options.TlsMode != TlsMode.None) builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            // https:// URLs get the server's certificate (its own CA's, or from files; see ServerTls).
            if (options.TlsMode != TlsMode.None)
                k.ConfigureHttpsDefaults(https =>
                {
                    var tls = k.ApplicationServices.GetRequiredService<ServerTls>();
                    https.ServerCertificate = tls.Certificate;
                    if (tls.Chain.Count > 0) https.ServerCertificateChain = tls.Chain;
                });
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddChasServer(options);
        configure?.Invoke(builder);

        var app = builder.Build();
        // Create the token files now, not on the first authenticated request: `chas server` tells
        // people where the node token is as soon as it starts.
        _ = app.Services.GetRequiredService<ServerSecrets>();
        // Likewise the CA and certificate: a bad --tls-cert fails the start, and `chas dev` reads the CA at once.
        if (options.TlsMode != TlsMode.None) _ = app.Services.GetRequiredService<ServerTls>();
        app.UseForwardedHeaders(ForwardedFrom(options));
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets();
        app.UseRouting();
        app.UseServerMetrics();
        app.UseAuthentication();
        app.UseMiddleware<AuditMiddleware>();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<AccessMiddleware>();

        app.MapHealthApi();
        app.MapAuthApi();
        app.MapUsersApi();
        app.MapTokensApi();
        app.MapInvitationsApi();
        app.MapNamespacesApi();
        app.MapAuditApi();
        app.MapEventsApi();
        app.MapTasksApi();
        app.MapTaskStreamsApi();
        app.MapNodesApi();
        app.MapDeploymentsApi();
        app.MapServicesApi();
        app.MapWatchApi();
        app.MapTlsApi();
        app.MapStatsApi();
        app.MapTrafficApi();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("CHaS API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapGet("/", () => Results.Redirect("/docs")).ExcludeFromDescription().AllowAnonymous();
        app.MapChasDashboard();
        AccessRules.EnsureDeclared(app);
        // No catch-all route: it would also swallow requests that a route refused for their content
        // type (415). Unmatched requests get their problem document from UseStatusCodePages.
        return app;
    }

    /// <summary>Who a request really comes from when a trusted proxy (loopback, as `chas dev`'s ingress, or --trusted-proxy) forwarded it.</summary>
    private static ForwardedHeadersOptions ForwardedFrom(ServerOptions options)
    {
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        foreach (var proxy in options.TrustedProxies)
        {
            forwarded.KnownIPNetworks.Add(ServerOptions.TryParseProxy(proxy, out var network) ? network
                : throw new ArgumentException($"--trusted-proxy: '{proxy}' is not an IP address or CIDR range"));
        }
        return forwarded;
    }
}
