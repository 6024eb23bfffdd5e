using static Microsoft.Playwright.Assertions;

namespace Chas.Dashboard.Tests;

/// <summary>
/// `chas dev --tls`: the dashboard over https, its live circuit over a secure WebSocket, and its own
/// calls to the API through the server's CA.
/// </summary>
public sealed class TlsTests(ITestOutputHelper output, Browser browser) : EndToEndTest(output), IClassFixture<Browser>
{
    [Fact]
    public async Task The_dashboard_works_live_over_https()
    {
        var dev = await StartDevAsync("--tls");
        Assert.Equal(Uri.UriSchemeHttps, dev.Url.Scheme);
        var page = await browser.NewPageAsync(acceptAnyCertificate: true);

        await DashboardPages.SignInWithTokenAsync(page, dev.Url, dev.AdminToken);
        Assert.StartsWith("https://", page.Url, StringComparison.Ordinal);
        await DashboardPages.NavigateAsync(page, "Nodes", "Nodes");
        var node = page.Locator($"[data-test=node-row][data-node={dev.NodeName}]");
        await Expect(node.Locator("[data-test=status]")).ToContainTextAsync("ready");

        // A click runs on the server through the circuit and reaches the API; the row follows the watch.
        await node.Locator("button", new() { HasTextString = "Cordon" }).ClickAsync();
        await Expect(node.Locator("button", new() { HasTextString = "Uncordon" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.True((await dev.Client.GetNodeAsync(dev.NodeName)).Unschedulable);
        // The watch's update carries no heartbeat time (heartbeats are kept in memory); the page still shows one.
        await Expect(node.Locator("[data-test=heartbeat]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+s ago$"), new() { Timeout = 30_000 });
        await Screenshots.SaveAsync(page, "nodes-tls", Output);
    }
}
