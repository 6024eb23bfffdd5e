namespace Chas.Testing.Processes;

/// <summary>
/// Base of the test classes that start `chas dev` or `chas server` processes: it starts them and, when the test
/// ends, writes what they printed during it to the test's output (shown with a failure), then stops those the test
/// owns. Free of any test framework: a test project derives from it once, adding its framework's lifetime interface
/// (whose two methods this class already has) and handing over its output writer.
/// </summary>
public abstract class ProcessTest(Action<string> writeOutput)
{
    private readonly List<(IControlPlane Plane, int Mark, IAsyncDisposable? Owner)> _planes = [];

    /// <summary>A `chas dev` of this test alone, stopped when the test ends.</summary>
    protected async Task<ChasDevProcess> StartDevAsync(params string[] extraArgs)
    {
        var dev = await ChasDevProcess.StartAsync(extraArgs);
        _planes.Add((dev, 0, dev));
        return dev;
    }

    /// <summary>
    /// A `chas server` with <paramref name="agents"/> equal `chas agent`s (see <see cref="AgentCluster"/>) of this
    /// test alone, stopped when the test ends; <paramref name="serverArgs"/> and <paramref name="agentArgs"/> are added to theirs.
    /// </summary>
    protected async Task<AgentCluster> StartClusterAsync(int agents = 3, string[]? serverArgs = null, string[]? agentArgs = null)
    {
        var cluster = await AgentCluster.StartAsync(agents, serverArgs ?? [], agentArgs ?? []);
        _planes.Add((cluster.Server, 0, cluster));
        return cluster;
    }

    /// <summary>A `chas dev` shared with other tests: only what it prints during this test goes to this test's output.</summary>
    protected ChasDevProcess Use(ChasDevProcess shared)
    {
        _planes.Add((shared, shared.Log.Mark(), null));
        return shared;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var (plane, mark, owner) in _planes)
        {
            writeOutput($"--- {plane.Description} ---");
            writeOutput(plane.Log.Since(mark));
            if (owner is not null) await owner.DisposeAsync();
        }
    }
}
