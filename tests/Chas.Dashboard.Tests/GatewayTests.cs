using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chas.Dashboard.Tests;

/// <summary>
/// The dashboard through the ingress gateway of a real `chas dev` (/ui/ forwarded to the server by YARP): the page,
/// its files and Blazor's SignalR WebSocket all pass through the one ingress port.
/// </summary>
public sealed class GatewayTests(ITestOutputHelper output, Browser browser) : EndToEndTest(output), IClassFixture<Browser>
{
    [Fact]
    public async Task The_dashboard_works_live_through_the_ingress_gateway()
    {
        await using var dev = Use(await ChasDevProcess.StartWithIngressAsync());
        // The gateway serves /ui/ on any host that no deployment claims: the plain address is one.
        var ingress = new Uri($"http://127.0.0.1:{dev.IngressPort}/");
        var page = await browser.NewPageAsync();
        var sockets = new List<IWebSocket>();
        page.WebSocket += (_, socket) => sockets.Add(socket);

        await DashboardPages.SignInWithTokenAsync(page, ingress, dev.AdminToken);
        await DashboardPages.NavigateAsync(page, "Nodes", "Nodes");
        var row = page.Locator($"[data-test=node-row][data-node={dev.NodeName}]");
        await Expect(row.Locator("[data-test=status]")).ToContainTextAsync("ready");

        // Live both ways: the click goes up the circuit, the change comes back down through the watch.
        await row.GetByRole(AriaRole.Button, new() { Name = "Cordon" }).ClickAsync();
        await Expect(row.Locator("[data-test=status]")).ToContainTextAsync("cordoned");
        Assert.True((await dev.Client.GetNodeAsync(dev.NodeName)).Unschedulable);
        await dev.Client.UncordonNodeAsync(dev.NodeName);
        await Expect(row.Locator("[data-test=status]")).Not.ToContainTextAsync("cordoned");

        // Blazor's hub went over a WebSocket through the ingress (not a long-polling fallback), and it is still open.
        var hub = Assert.Single(sockets, s => s.Url.StartsWith($"ws://127.0.0.1:{dev.IngressPort}/ui/_blazor", StringComparison.Ordinal));
        Assert.False(hub.IsClosed);
        Assert.StartsWith(ingress.ToString(), page.Url, StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "nodes-through-gateway", Output);
    }
}
