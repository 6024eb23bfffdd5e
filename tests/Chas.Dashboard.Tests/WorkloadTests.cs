using System.Text.RegularExpressions;
using Chas.Client;
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
        var node = page.Locator($"[data-test=node-row][data-node={dev.NodeName}]");
        await Expect(node.Locator("[data-test=status]")).ToContainTextAsync("ready");
        // Live use from the agent's samples (GET /api/v1/stats/nodes) beside the allocation.
        await Expect(node.Locator("[data-test=cpu-live]")).ToContainTextAsync("% in use", new() { Timeout = 30_000 });
        await Expect(node.Locator("[data-test=memory-live]")).ToContainTextAsync("in use");
        await Screenshots.SaveAsync(page, "nodes-live", Output);

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

        // The instance page: its logs carry the marker, and its charts fill with the agent's samples.
        await DashboardPages.NavigateAsync(page, "Workloads", "Workloads");
        await deployment.Locator("[data-test=task-link]").First.ClickAsync();
        await Expect(page.Locator("[data-test=logs]")).ToContainTextAsync("log-marker-42", new() { Timeout = Slow });
        foreach (var chart in new[] { "CPU", "Memory" })
        {
            var spark = page.Locator($"[data-test=spark][data-label={chart}]");
            await Eventually.WaitAsync(async () => await SampleCount(spark) >= 1, TimeSpan.FromSeconds(30), $"a sample in the {chart} chart", dev.Diagnostics);
            await Expect(spark.Locator("polyline.spark-line")).ToHaveCountAsync(1);
        }
        // It keeps asking: newer samples join those it has.
        var cpu = page.Locator("[data-test=spark][data-label=CPU]");
        var first = await SampleCount(cpu);
        await Eventually.WaitAsync(async () => await SampleCount(cpu) > first, TimeSpan.FromSeconds(30), "newer samples in the CPU chart", dev.Diagnostics);
        await Expect(page.Locator("[data-test=spark][data-label=Memory] figcaption")).ToContainTextAsync(" of 64 MiB");

        // The terminal: a shell in the container, drawn by the real xterm.js; the shell computes what we typed.
        await page.Locator("[data-test=open-terminal]").ClickAsync();
        var terminal = page.Locator("[data-test=terminal]");
        await Expect(terminal).ToBeVisibleAsync();
        await Expect(terminal.Locator(".xterm .xterm-rows")).ToHaveCountAsync(1);
        var rows = terminal.Locator(".xterm-rows");
        await Eventually.WaitAsync(async () => (await Transcript(terminal)).Contains('#') || (await Transcript(terminal)).Contains('$'),
            TimeSpan.FromSeconds(30), "the shell's prompt in the terminal", dev.Diagnostics);
        await terminal.ClickAsync();
        await page.Keyboard.TypeAsync("echo marker-$((6*7))");
        await page.Keyboard.PressAsync("Enter");
        await Expect(rows).ToContainTextAsync("marker-42", new() { Timeout = 30_000 });
        Assert.Contains("\nmarker-42", (await Transcript(terminal)).Replace("\r", "\n", StringComparison.Ordinal), StringComparison.Ordinal);

        // The terminal fills its box, and the tty was told its size (resize frames).
        var size = await terminal.GetAttributeAsync("data-size") ?? "";
        Assert.Matches(@"^\d+x\d+$", size);
        var (cols, termRows) = (size.Split('x')[0], size.Split('x')[1]);
        Assert.Equal(int.Parse(termRows, System.Globalization.CultureInfo.InvariantCulture), await rows.Locator("> div").CountAsync());
        await page.Keyboard.TypeAsync("stty size");
        await page.Keyboard.PressAsync("Enter");
        await Expect(rows.Locator("> div", new() { HasTextRegex = new Regex($"^{termRows} {cols}\\s*$") })).ToHaveCountAsync(1, new() { Timeout = 30_000 });

        // A full-screen program: clear the screen and write at the top.
        await page.Keyboard.TypeAsync(@"printf '\033[2J\033[HCLEARED'");
        await page.Keyboard.PressAsync("Enter");
        await Expect(rows.Locator("> div").First).ToContainTextAsync("CLEARED", new() { Timeout = 30_000 });
        await Expect(rows).Not.ToContainTextAsync("marker-42");
        await Screenshots.SaveAsync(page, "instance", Output);
    }

    [Fact]
    public async Task Undo_returns_to_the_previous_revision_and_delete_removes_the_deployment_and_its_instances()
    {
        var dev = await StartDevAsync();
        // A shell that ends on SIGTERM, so that stopping an instance takes no grace period.
        IReadOnlyList<string> command = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"];
        await dev.Client.ApplyDeploymentAsync(new() { Name = "canary", Image = BusyboxImage.Reference, Command = command, Replicas = 1, Env = new Dictionary<string, string> { ["COLOR"] = "blue" } });
        await dev.Client.ApplyDeploymentAsync(new() { Name = "canary", Image = BusyboxImage.Reference, Command = command, Replicas = 1, Env = new Dictionary<string, string> { ["COLOR"] = "green" } });

        var page = await browser.NewPageAsync();
        await DashboardPages.SignInWithTokenAsync(page, dev.Url, dev.AdminToken);
        await DashboardPages.NavigateAsync(page, "Workloads", "Workloads");
        var card = page.Locator("[data-test=deployment][data-name=canary]");
        await Expect(card).ToContainTextAsync("revision 2", new() { Timeout = Slow });

        // Undo: a third revision with the first one's template.
        await card.Locator("[data-test=undo]").ClickAsync();
        await Expect(card).ToContainTextAsync("revision 3", new() { Timeout = Slow });
        var undone = await dev.Client.GetDeploymentAsync("canary");
        Assert.Equal("blue", undone.Template.Env["COLOR"]);
        await Expect(card.Locator("[data-test=task-row] [data-test=status]")).ToHaveTextAsync(["running"], new() { Timeout = Slow });

        // Delete asks first; confirmed, the card goes and the server has neither the deployment nor its instances.
        await card.Locator("[data-test=delete]").ClickAsync();
        Assert.NotNull(await dev.Client.GetDeploymentAsync("canary"));
        await card.Locator("[data-test=confirm-delete]").ClickAsync();
        await Expect(card).ToHaveCountAsync(0, new() { Timeout = Slow });
        var missing = await Assert.ThrowsAsync<ChasApiException>(() => dev.Client.GetDeploymentAsync("canary"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.Status);
        await Eventually.WaitAsync(async () => (await dev.Client.ListTasksAsync()).Items.All(t => t.Deployment != "canary"),
            TimeSpan.FromSeconds(60), "the deployment's instances removed", dev.Diagnostics);
    }

    private static async Task<int> SampleCount(ILocator spark) =>
        int.Parse(await spark.GetAttributeAsync("data-samples") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    private static Task<string> Transcript(ILocator terminal) => terminal.EvaluateAsync<string>("e => e.chasTranscript ?? ''");
}
