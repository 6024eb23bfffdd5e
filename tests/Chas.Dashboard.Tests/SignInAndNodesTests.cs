using System.Net;
using Chas.Contracts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chas.Dashboard.Tests;

/// <summary>The dashboard of an in-process server with hollow nodes: files, sign-in, nodes, admin, phone layout.</summary>
public sealed class SignInAndNodesTests(ITestOutputHelper output, Browser browser) : IClassFixture<Browser>, IAsyncLifetime
{
    private const string Password = "correct-horse-battery";
    private TestServer _server = null!;
    private readonly Browser _browser = browser;

    [Fact]
    public async Task Serves_its_files_under_ui_and_leaves_the_api_routes_alone()
    {
        var script = await _server.Http.GetAsync("ui/_framework/blazor.web.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.True((await script.Content.ReadAsStringAsync()).Length > 10_000);
        var css = await _server.Http.GetAsync("ui/assets/app.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        var page = await _server.Http.GetStringAsync("ui/");
        Assert.Contains("<base href=\"/ui/\"", page, StringComparison.Ordinal);
        // The dashboard's routes stay under /ui: the root still redirects to the API docs, /nodes is not a page.
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.Url };
        Assert.Equal(HttpStatusCode.Redirect, (await noRedirect.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await noRedirect.GetAsync("/nodes")).StatusCode);
        var bare = await noRedirect.GetAsync("/ui");
        Assert.Equal("/ui/", bare.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_user_signs_in_with_a_password_and_sees_the_nodes()
    {
        await _server.Admin.CreateUserAsync(new CreateUserRequest { Name = "olga", Password = Password, Role = Role.Operator });
        var page = await _browser.NewPageAsync();
        await DashboardPages.SignInWithPasswordAsync(page, _server.Url, "olga", Password);
        await Expect(page.Locator("[data-test=signed-in-as]")).ToContainTextAsync("olga");
        await Expect(page.Locator("[data-test=nodes-ready]")).ToHaveTextAsync("1/1");
        await Screenshots.SaveAsync(page, "overview-hollow", output);

        await DashboardPages.NavigateAsync(page, "Nodes", "Nodes");
        var row = page.Locator("[data-test=node-row][data-node=n1]");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.Locator("[data-test=status]")).ToContainTextAsync("ready");
        // An operator may cordon: the change comes back through the watch.
        await row.GetByRole(AriaRole.Button, new() { Name = "Cordon" }).ClickAsync();
        await Expect(row.Locator("[data-test=status]")).ToContainTextAsync("cordoned");
        Assert.True((await _server.Admin.GetNodeAsync("n1")).Unschedulable);
        await Screenshots.SaveAsync(page, "nodes", output);

        // A reload starts a new circuit; the tab keeps its session.
        await page.ReloadAsync();
        await Expect(page.Locator("[data-test=node-row][data-node=n1]")).ToBeVisibleAsync();
        // Operators see no Admin page.
        await Expect(page.Locator(".nav-link", new() { HasTextString = "Admin" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_the_servers_reason()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(_server.Url, "ui/").ToString());
        await page.Locator("#user").FillAsync("nobody");
        await page.Locator("#password").FillAsync("wrong");
        await page.Locator("[data-test=signin-form] button[type=submit]").ClickAsync();
        await Expect(page.Locator("[data-test=signin-error]")).ToContainTextAsync("wrong user name or password");
        await Expect(page.Locator("[data-test=signed-in-as]")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "signin", output);
    }

    [Fact]
    public async Task The_admin_token_signs_in_and_the_admin_pages_list_users_tokens_and_invitations()
    {
        await _server.Admin.CreateUserAsync(new CreateUserRequest { Name = "uma", Password = Password, Role = Role.User });
        var page = await _browser.NewPageAsync();
        await DashboardPages.SignInWithTokenAsync(page, _server.Url, _server.Secrets.AdminToken);
        await DashboardPages.NavigateAsync(page, "Admin", "Admin");
        await Expect(page.Locator("[data-test=user-row][data-name=uma]")).ToBeVisibleAsync();

        await page.Locator("#new-user").FillAsync("vic");
        await page.Locator("#new-user-password").FillAsync(Password);
        await page.Locator("[data-test=users] button[type=submit]").ClickAsync();
        await Expect(page.Locator("[data-test=user-row][data-name=vic]")).ToBeVisibleAsync();
        Assert.Contains(await _server.Admin.ListUsersAsync(), u => u.Name == "vic");

        await page.Locator("[data-test=invitations] button[type=submit]").ClickAsync();
        await Expect(page.Locator("[data-test=invitations] .secret")).ToContainTextAsync("chas signup --invite");
        Assert.Single(await _server.Admin.ListInvitationsAsync());
        await Screenshots.SaveAsync(page, "admin", output);

        await DashboardPages.NavigateAsync(page, "Events", "Events");
        await Expect(page.Locator("[data-test=events-table], [data-test=events-unavailable]")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "events", output);
    }

    [Fact]
    public async Task On_a_phone_the_side_bar_becomes_a_menu()
    {
        var page = await _browser.NewPageAsync(390, 844);
        await DashboardPages.SignInWithTokenAsync(page, _server.Url, _server.Secrets.AdminToken);
        var toggle = page.Locator("[data-test=menu-toggle]");
        await Expect(toggle).ToBeVisibleAsync();
        await Expect(page.Locator(".nav-link", new() { HasTextString = "Nodes" })).ToBeHiddenAsync();
        await Screenshots.SaveAsync(page, "phone-overview", output);
        await toggle.ClickAsync();
        await Expect(page.Locator(".nav-link", new() { HasTextString = "Nodes" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "phone-menu", output);
        await page.Locator(".nav-link", new() { HasTextString = "Nodes" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Nodes");
        // Nothing is wider than the phone: the tables scroll inside their card.
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the phone");
        await Screenshots.SaveAsync(page, "phone-nodes", output);
    }

    public async Task InitializeAsync()
    {
        // The hollow node heartbeats once; a long timeout keeps it ready for the whole test.
        _server = await TestServer.StartAsync(heartbeatTimeout: TimeSpan.FromMinutes(10));
        await _server.AddReadyNodeAsync("n1");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();
}
