using Chas.Dashboard.Components;
using Chas.Dashboard.Live;
using Chas.Dashboard.Session;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;

namespace Chas.Dashboard.Hosting;

public static class DashboardExtensions
{
    /// <summary>Blazor with server interactivity, and the per-circuit session and live cluster view.</summary>
    public static IServiceCollection AddChasDashboard(this IServiceCollection services, Action<DashboardOptions>? configure = null)
    {
        var options = new DashboardOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Circuits protect their component markers; nothing the dashboard protects outlives the process
        // (a restarted server starts new circuits anyway), so keys stay in memory and no key ring is written.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.TryAddSingleton<SelfConnection>();
        services.TryAddSingleton<DashboardAssets>();
        services.AddScoped<DashboardSession>();
        services.AddScoped<LiveCluster>();
        return services;
    }

    /// <summary>
    /// Mounts the dashboard at /ui in a branch of its own: its pages, Blazor's hub and its files. Every
    /// endpoint there allows anonymous callers: the app signs people in itself, and the API it calls
    /// with their token enforces every rule.
    /// </summary>
    public static IApplicationBuilder MapChasDashboard(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<DashboardOptions>();
        var assets = app.ApplicationServices.GetRequiredService<DashboardAssets>();
        app.Map(DashboardOptions.PathBase, ui =>
        {
            // A branch copies the app's properties, the global endpoint table included: without this the
            // dashboard's routes ("/", "/nodes") would land in the API's table, without their /ui prefix.
            ui.Properties.Remove("__GlobalEndpointRouteBuilder");
            ui.Use(async (context, next) =>
            {
                // "/ui" itself: the pages' base is "/ui/", and Blazor refuses a URL outside its base.
                if (!context.Request.Path.HasValue)
                    context.Response.Redirect(context.Request.PathBase + "/" + context.Request.QueryString);
                else if (!await assets.TryServeAsync(context)) await next(context);
            });
            if (Directory.Exists(options.XtermModulesDirectory))
            {
                // Only the modules themselves: no listing (static files never list), no maps or anything else there,
                // and nothing else answers under this path (not even the pages' "not found").
                var javascriptOnly = new FileExtensionContentTypeProvider(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [".js"] = "text/javascript" });
                ui.Map("/lib/xterm/lib", modules =>
                {
                    modules.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(options.XtermModulesDirectory), ContentTypeProvider = javascriptOnly });
                    modules.Run(context =>
                    {
                        context.Response.StatusCode = StatusCodes.Status404NotFound;
                        return Task.CompletedTask;
                    });
                });
            }
            if (Directory.Exists(options.XtermDirectory))
                ui.UseStaticFiles(new StaticFileOptions { RequestPath = "/lib/xterm", FileProvider = new PhysicalFileProvider(options.XtermDirectory) });
            ui.UseRouting();
            ui.UseAntiforgery();
            ui.UseEndpoints(endpoints => endpoints.MapRazorComponents<App>().AddInteractiveServerRenderMode().AllowAnonymous());
        });
        return app;
    }
}
