using Chas.EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chas.Dashboard.Tests;

/// <summary>
/// The dashboard of a real `chas dev` (bin/chas) with real containers: deploy through the form, scale,
/// read an instance's logs, type in its terminal. Screenshots of each page go to the test artifacts.
/// </summary>
public sealed class WorkloadTests(ITestOutputHelper output, Browser browser) : EndToEndTest(output), IClassFixture<Browser>
{
    private static readonly float Slow = 90_000;

    [Fact]
    public async Task Deploy_scale_read_logs_and_use_the_terminal_through_the_dashboard()
    {
        var dev = await StartDevAsync();
        var page = await browser.NewPageAsync();
        await DashboardPages.SignInWithTokenAsync(page, dev.Url, dev.AdminToken);

        await DashboardPages.NavigateAsync(page, "Nodes", "Nodes");
        await Expect(page.Locator($"[data-test=node-row][data-node={dev.NodeName}] [data-test=status]")).ToContainTextAsync("ready");

        // Deploy: busybox httpd that first prints a marker for the logs.
        await DashboardPages.NavigateAsync(page, "Workloads", "Workloads");
        await page.Locator("#deploy-name").FillAsync("web");
        await page.Locator("#deploy-image").FillAsync(BusyboxImage.Reference);
        await page.Locator("#deploy-port").FillAsync("8080");
        await page.Locator("#deploy-command").FillAsync("echo log-marker-$((6*7)); hostname > /tmp/index.html; httpd -f -p 8080 -h /tmp");
        await page.Locator("#deploy-submit").ClickAsync();
        var deployment = page.Locator("[data-test=deployment][data-name=web]");
        await Expect(deployment.Locator("[data-test=task-row] [data-test=status]")).ToHaveTextAsync(["running"], new() { Timeout = Slow });
        Assert.Equal(1, (await dev.Client.GetDeploymentAsync("web")).Replicas);

        // Scale to two: a second instance appears and runs.
        await deployment.Locator("[data-test=scale-input]").FillAsync("2");
        await deployment.Locator("[data-test=scale]").ClickAsync();
        await Expect(deployment.Locator("[data-test=task-row] [data-test=status]")).ToHaveTextAsync(["running", "running"], new() { Timeout = Slow });
        await Expect(deployment.Locator("[data-test=ready-count]")).ToHaveTextAsync("2/2 ready", new() { Timeout = Slow });
        Assert.Equal(2, (await dev.Client.GetDeploymentAsync("web")).Replicas);
        await Screenshots.SaveAsync(page, "workloads", Output);

        await DashboardPages.NavigateAsync(page, "Overview", "Overview");
        await Expect(page.Locator("[data-test=nodes-ready]")).ToHaveTextAsync("1/1");
        await Screenshots.SaveAsync(page, "overview", Output);
        await Screenshots.UpdateReadmeImageAsync(page, Output);

        // The instance page: its logs carry the marker.
        await DashboardPages.NavigateAsync(page, "Workloads", "Workloads");
        await deployment.Locator("[data-test=task-link]").First.ClickAsync();
        await Expect(page.Locator("[data-test=logs]")).ToContainTextAsync("log-marker-42", new() { Timeout = Slow });

        // The terminal: a shell in the container; the shell computes what we typed.
        await page.Locator("[data-test=open-terminal]").ClickAsync();
        var terminal = page.Locator("[data-test=terminal]");
        await Expect(terminal).ToBeVisibleAsync();
        await Eventually.WaitAsync(async () => (await Transcript(terminal)).Contains('#') || (await Transcript(terminal)).Contains('$'),
            TimeSpan.FromSeconds(30), "the shell's prompt in the terminal", dev.Diagnostics);
        await terminal.ClickAsync();
        await page.Keyboard.TypeAsync("echo marker-$((6*7))");
        await page.Keyboard.PressAsync("Enter");
        await Eventually.WaitAsync(async () => (await Transcript(terminal)).Contains("\nmarker-42", StringComparison.Ordinal) || (await Transcript(terminal)).Contains("\rmarker-42", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "marker-42 from the shell", () => "transcript: " + Transcript(terminal).GetAwaiter().GetResult());
        await Screenshots.SaveAsync(page, "instance", Output);
    }

    private static Task<string> Transcript(ILocator terminal) => terminal.EvaluateAsync<string>("e => e.chasTranscript ?? ''");
}
