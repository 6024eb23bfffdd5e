using Microsoft.Playwright;

namespace Chas.Dashboard.Tests;

/// <summary>Screenshots of each page as test artifacts (bin/…/artifacts/dashboard/), and the README's picture on request.</summary>
public static class Screenshots
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard");

    public static async Task<string> SaveAsync(IPage page, string name, ITestOutputHelper output)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        return path;
    }

    /// <summary>With CHAS_UPDATE_SCREENSHOTS=1, also writes docs/images/dashboard.png (the viewport only, as a person sees it).</summary>
    public static async Task UpdateReadmeImageAsync(IPage page, ITestOutputHelper output)
    {
        if (Environment.GetEnvironmentVariable("CHAS_UPDATE_SCREENSHOTS") != "1") return;
        var path = Path.Combine(RepoPaths.Root, "docs", "images", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        output.WriteLine($"README image updated: {path}");
    }
}
