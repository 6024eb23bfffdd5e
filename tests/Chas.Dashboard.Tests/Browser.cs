using Microsoft.Playwright;

namespace Chas.Dashboard.Tests;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (browser downloads are not possible here, so
/// Playwright's own builds are never installed). One per test class.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>
    /// A fresh page (own cookies and storage) with the given viewport; default the 1280×800 desktop.
    /// <paramref name="acceptAnyCertificate"/>: for a server whose own CA the browser does not know.
    /// </summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800, bool acceptAnyCertificate = false)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            IgnoreHTTPSErrors = acceptAnyCertificate,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Instance is not null) await Instance.DisposeAsync();
        _playwright?.Dispose();
    }
}
