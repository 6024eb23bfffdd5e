using System.Diagnostics;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Faults.Tests;

/// <summary>
/// Base of the fault tests: one <see cref="HaCluster"/> per test, whose every process's output goes to the test
/// output when the test ends, and the suite's table line <c>fault | checked | result | time</c> per fault.
/// </summary>
public abstract class FaultTest(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>A label no node carries: tasks with it stay pending, cheap to create in bulk and never placed.</summary>
    protected static readonly IReadOnlyDictionary<string, string> NowhereSelector = new Dictionary<string, string> { ["fault-suite"] = "nowhere" };

    /// <summary>Runs until stopped and exits at once on SIGTERM (a bare `sleep` as PID 1 would wait out the grace period).</summary>
    protected static readonly string[] LongRunning = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"];

    private readonly List<string> _table = [];
    private HaCluster? _cluster;

    protected ITestOutputHelper Output { get; } = output;

    protected HaCluster Cluster => _cluster ?? throw new InvalidOperationException("no cluster started");

    protected async Task<HaCluster> StartClusterAsync(int agents, params string[] serverArgs)
    {
        _cluster = await HaCluster.StartAsync(servers: 3, agents: agents, serverArgs: serverArgs);
        return _cluster;
    }

    /// <summary>One row of the fault table, in the test output and in the cluster's log.</summary>
    protected void Report(string fault, string check, string result, TimeSpan time)
    {
        var line = $"{fault} | {check} | {result} | {time.TotalSeconds:0.00} s";
        _table.Add(line);
        _cluster?.Log.Append($"[table] {line}");
    }

    protected static ApplyDeploymentRequest Deployment(string name, int replicas) => new()
    {
        Name = name,
        Replicas = replicas,
        Image = BusyboxImage.Reference,
        Command = LongRunning,
        CpuMillis = 100,
        MemoryBytes = 32L * 1024 * 1024,
    };

    protected static CreateTaskRequest RunningTask(string name) => new()
    {
        Name = name,
        Image = BusyboxImage.Reference,
        Command = LongRunning,
        CpuMillis = 100,
        MemoryBytes = 32L * 1024 * 1024,
    };

    protected static CreateTaskRequest PendingTask(string name) => PendingTaskRequest(name);

    internal static CreateTaskRequest PendingTaskRequest(string name) => RunningTask(name) with { NodeSelector = NowhereSelector };

    /// <summary>The instances of <paramref name="deployment"/> that have not ended.</summary>
    protected async Task<IReadOnlyList<TaskResource>> LiveInstancesAsync(ChasClient client, string deployment) =>
        [.. (await client.ListTasksAsync()).Items.Where(t => t.Deployment == deployment && !t.Status.IsTerminal())];

    /// <summary>Waits until <paramref name="deployment"/> has exactly <paramref name="replicas"/> live instances, all running.</summary>
    protected Task<IReadOnlyList<TaskResource>> WaitForRunningInstancesAsync(ChasClient client, string deployment, int replicas, TimeSpan deadline,
        Func<IReadOnlyList<TaskResource>, bool>? also = null) =>
        Eventually.GetAsync(() => LiveInstancesAsync(client, deployment),
            live => live.Count == replicas && live.All(t => t.Status == TaskPhase.Running && !t.StopRequested) && (also?.Invoke(live) ?? true),
            deadline, $"deployment '{deployment}' to have exactly {replicas} running instances", Cluster.Diagnostics);

    protected Task<TaskResource> WaitForTaskAsync(ChasClient client, string name, TaskPhase phase, TimeSpan deadline) =>
        Eventually.GetAsync(() => client.GetTaskAsync(name), t => t.Status == phase, deadline, $"task '{name}' to be {phase}", Cluster.Diagnostics);

    /// <summary>The uids of the tasks whose containers the engine runs now on these nodes.</summary>
    protected static async Task<IReadOnlyList<string>> RunningContainerUidsAsync(IEnumerable<string> nodes) =>
        [.. (await DockerEngine.RunningTasksOfNodesAsync(nodes)).Select(r => r.TaskUid)];

    protected static Stopwatch StartClock() => Stopwatch.StartNew();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_table.Count > 0)
        {
            Output.WriteLine("fault | checked | result | time");
            foreach (var line in _table) Output.WriteLine(line);
        }
        if (_cluster is null) return;
        Output.WriteLine(_cluster.FullOutput());
        await _cluster.DisposeAsync();
    }
}
