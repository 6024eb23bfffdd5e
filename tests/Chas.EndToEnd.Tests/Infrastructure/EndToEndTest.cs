namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Base of every test class: starts the `chas dev` processes a test needs and, when the test ends,
/// writes what they printed during it to the test's output (shown with a failure), then cleans up.
/// </summary>
public abstract class EndToEndTest(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<(ChasDevProcess Dev, int Mark, bool Owned)> _devs = [];

    /// <summary>A `chas dev` of this test alone, disposed when the test ends.</summary>
    protected async Task<ChasDevProcess> StartDevAsync(params string[] extraArgs)
    {
        var dev = await ChasDevProcess.StartAsync(extraArgs);
        _devs.Add((dev, 0, true));
        return dev;
    }

    /// <summary>A `chas dev` shared with other tests: only what it prints during this test goes to this test's output.</summary>
    protected ChasDevProcess Use(ChasDevProcess shared)
    {
        _devs.Add((shared, shared.Log.Mark(), false));
        return shared;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var (dev, mark, owned) in _devs)
        {
            output.WriteLine($"--- chas dev {dev.NodeName} ({dev.Url}) ---");
            output.WriteLine(dev.Log.Since(mark));
            if (owned) await dev.DisposeAsync();
        }
    }
}
