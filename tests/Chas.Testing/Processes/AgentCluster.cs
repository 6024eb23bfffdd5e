using System.Diagnostics;

namespace Chas.Testing.Processes;

/// <summary>
/// A `chas server` with agents that offer exactly the same: `--cpu 2 --memory 4Gi`, no GPUs (a fake
/// nvidia-smi that finds none, whatever the machine has), 500 ms heartbeats. The nodes then differ in
/// nothing but their names, so where the scheduler puts work depends on the work alone and "three
/// replicas spread over three nodes land one per node" is a fair expectation. `chas dev` is not used
/// for this: its built-in node offers the whole machine and asks the real nvidia-smi, so it would be
/// the odd one out (and it has no flag to change either).
/// </summary>
public sealed class AgentCluster : IAsyncDisposable
{
    public const string NodeCpu = "2";
    public const string NodeMemory = "4Gi";

    private readonly List<AgentProcess> _agents = [];
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly string[] _agentArgs;
    private readonly string _noGpus;

    private AgentCluster(ChasServerProcess server, string[] agentArgs)
    {
        Server = server;
        _agentArgs = agentArgs;
        _noGpus = FakeNvidiaSmi.Write(server.TempDir, gpus: 0);
    }

    public ChasServerProcess Server { get; }

    /// <summary>The agents started with the cluster, by name (…-a, …-b, …-c), then those added later.</summary>
    public IReadOnlyList<AgentProcess> Agents => _agents;

    public IReadOnlyList<string> NodeNames => [.. _agents.Select(a => a.NodeName)];

    /// <summary>
    /// Starts the server with <paramref name="serverArgs"/> and <paramref name="agents"/> agents with
    /// <paramref name="agentArgs"/> added, side by side, and waits until every node is ready.
    /// </summary>
    public static async Task<AgentCluster> StartAsync(int agents, string[] serverArgs, string[] agentArgs)
    {
        var clock = Stopwatch.StartNew();
        var server = await ChasServerProcess.StartAsync(serverArgs);
        var cluster = new AgentCluster(server, agentArgs);
        server.Log.Append($"[test] chas server answered after {clock.Elapsed.TotalSeconds:0.0} s");
        try
        {
            var started = Enumerable.Range(0, agents).Select(i => cluster.StartAgentAsync($"{(char)('a' + i)}", cluster._noGpus)).ToList();
            try
            {
                await Task.WhenAll(started);
            }
            finally
            {
                // Whatever started joins the cluster, so that disposing it stops them all.
                foreach (var agent in started.Where(t => t.IsCompletedSuccessfully)) cluster._agents.Add(agent.Result);
            }
            cluster._agents.Sort((x, y) => string.CompareOrdinal(x.NodeName, y.NodeName));
            server.Log.Append($"[test] {agents} node{(agents == 1 ? "" : "s")} ready after {clock.Elapsed.TotalSeconds:0.0} s");
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>One more node like the others but with <paramref name="gpus"/> fake GPUs; stopped with the cluster.</summary>
    public async Task<AgentProcess> AddAgentAsync(string suffix, int gpus)
    {
        var agent = await StartAgentAsync(suffix, gpus == 0 ? _noGpus : FakeNvidiaSmi.Write(Server.TempDir, gpus));
        _agents.Add(agent);
        return agent;
    }

    private Task<AgentProcess> StartAgentAsync(string suffix, string nvidiaSmi) =>
        AgentProcess.StartAsync(Server, $"e2e-{_id}-{suffix}",
            ["--cpu", NodeCpu, "--memory", NodeMemory, "--heartbeat-interval", "500ms", "--nvidia-smi", nvidiaSmi, .. _agentArgs]);

    /// <summary>Agents first (each removes its node's containers), then the server.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents) await agent.DisposeAsync();
        await Server.DisposeAsync();
    }
}
