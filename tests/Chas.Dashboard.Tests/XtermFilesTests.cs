using System.Net;
using Chas.Dashboard.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Dashboard.Tests;

/// <summary>xterm.js's CommonJS modules at /ui/lib/xterm/lib/: JavaScript files only, no listing, nothing when not installed.</summary>
public sealed class XtermFilesTests : IAsyncLifetime
{
    private readonly string _modules = Path.Combine(Path.GetTempPath(), "chas-xterm-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication? _app;
    private HttpClient _http = null!;

    [Fact]
    public async Task Serves_only_the_javascript_modules()
    {
        var module = await _http.GetAsync("ui/lib/xterm/lib/public/Terminal.js");
        Assert.Equal(HttpStatusCode.OK, module.StatusCode);
        Assert.Equal("text/javascript", module.Content.Headers.ContentType?.MediaType);
        Assert.Equal("exports.Terminal = 1;", await module.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("ui/assets/commonjs.js")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("ui/lib/xterm/lib/public/Terminal.js.map")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("ui/lib/xterm/lib/package.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("ui/lib/xterm/lib/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("ui/lib/xterm/lib/public/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("ui/lib/xterm/lib/public/Missing.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("ui/lib/xterm/lib/..%2Fpackage.json")).StatusCode);
    }

    [Fact]
    public async Task Without_node_xterm_nothing_is_served_there()
    {
        Directory.Delete(_modules, recursive: true);
        await using var app = await StartAsync(_modules);
        using var http = new HttpClient { BaseAddress = Address(app) };
        Assert.NotEqual(HttpStatusCode.OK, (await http.GetAsync("ui/lib/xterm/lib/public/Terminal.js")).StatusCode);
        Assert.False(app.Services.GetRequiredService<DashboardOptions>().HasXterm);
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_modules, "public"));
        await File.WriteAllTextAsync(Path.Combine(_modules, "public", "Terminal.js"), "exports.Terminal = 1;");
        await File.WriteAllTextAsync(Path.Combine(_modules, "public", "Terminal.js.map"), "{}");
        await File.WriteAllTextAsync(Path.Combine(_modules, "package.json"), "{}");
        _app = await StartAsync(_modules);
        Assert.True(_app.Services.GetRequiredService<DashboardOptions>().HasXterm);
        _http = new HttpClient { BaseAddress = Address(_app) };
    }

    private static async Task<WebApplication> StartAsync(string modules)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddChasDashboard(o => o.XtermModulesDirectory = modules);
        var app = builder.Build();
        app.MapChasDashboard();
        await app.StartAsync();
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        if (Directory.Exists(_modules)) Directory.Delete(_modules, recursive: true);
    }
}
