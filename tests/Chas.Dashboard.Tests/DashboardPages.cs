using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Chas.Dashboard.Tests;

/// <summary>What the tests do on the dashboard's pages, in one place.</summary>
public static class DashboardPages
{
    public static async Task SignInWithPasswordAsync(IPage page, Uri server, string user, string password)
    {
        await page.GotoAsync(new Uri(server, "ui/").ToString());
        await page.Locator("#user").FillAsync(user);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("[data-test=signin-form] button[type=submit]").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
    }

    public static async Task SignInWithTokenAsync(IPage page, Uri server, string token)
    {
        await page.GotoAsync(new Uri(server, "ui/").ToString());
        await page.Locator("#token").FillAsync(token);
        await page.Locator("[data-test=token-form] button[type=submit]").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
    }

    /// <summary>Follows a link of the side bar, as a person would (the circuit, and its session, stay).</summary>
    public static async Task NavigateAsync(IPage page, string linkText, string heading)
    {
        await page.Locator(".nav-link", new PageLocatorOptions { HasTextString = linkText }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync(heading);
    }
}
