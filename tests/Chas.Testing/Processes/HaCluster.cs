using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Chas.Client;
using Chas.Client.Failover;
using Chas.Contracts;
using Chas.Testing.Postgres;

namespace Chas.Testing.Processes;

/// <summary>
/// A highly available control plane as an operator would run it: one private PostgreSQL
/// (<see cref="PostgresServer"/>), several real `chas server` processes on one database of it (they share the
/// cluster's tokens through the store and elect one leader), and agents that are given every server's URL.
/// Tests break it on purpose: kill or pause a server, an agent, or the database, and watch it heal.
/// Disposing it stops the agents (removing their containers), then the servers, then the database.
/// </summary>
public sealed class HaCluster : IControlPlane, IAsyncDisposable
{
    public const string NodeCpu = "2";
    public const string NodeMemory = "4Gi";
    private static readonly TimeSpan LeadershipReadTimeout = TimeSpan.FromSeconds(2);

    private readonly List<ChasServerProcess> _servers = [];
    private readonly List<AgentProcess> _agents = [];
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly string[] _agentArgs;
    private readonly HttpClient _http = new() { Timeout = LeadershipReadTimeout };
    private string? _noGpus;
    private ChasClient? _client;
    private ChasServerProcess? _firstLeader;

    private HaCluster(PostgresServer postgres, string database, string[] agentArgs)
    {
        Postgres = postgres;
        Database = database;
        _agentArgs = agentArgs;
    }

    public PostgresServer Postgres { get; }
    public string Database { get; }
    public string StoreUri => Postgres.UriFor(Database);

    /// <summary>The servers in the order they were started (server-1, server-2, …); killed ones stay listed.</summary>
    public IReadOnlyList<ChasServerProcess> Servers => _servers;

    public IReadOnlyList<AgentProcess> Agents => _agents;

    /// <summary>What the test itself notes and the agents print; each server keeps its own log (see <see cref="Diagnostics"/>).</summary>
    public OutputLog Log { get; } = new();

    public string Description => $"HA cluster ({_servers.Count} chas servers on PostgreSQL port {Postgres.Port})";
    public Uri Url => _servers[0].Url;
    /// <summary>
    /// Every server, the leader at start last: agents then talk to a follower first, so that what the leader knows of
    /// them has to come through the database (heartbeats, reports), which is what several servers are about.
    /// </summary>
    public string ServerArgument => string.Join(',', _servers.OrderBy(s => s == _firstLeader).Select(s => s.Url.ToString().TrimEnd('/')));
    public string TempDir => _servers[0].TempDir;
    public string DataDir => _servers[0].DataDir;
    public string NodeToken => _servers[0].NodeToken;
    public string AdminToken => _servers[0].AdminToken;
    public ChasCli Cli => _servers[0].Cli;
    public string CliConfigPath => _servers[0].CliConfigPath;

    /// <summary>A client of every server that moves on from a dead one (<see cref="ServerFailoverHandler"/>), with the admin token.</summary>
    public ChasClient Client => _client ?? throw new InvalidOperationException("the cluster is not started");

    /// <summary>
    /// Starts PostgreSQL, <paramref name="servers"/> `chas server --store postgres://…` side by side on one new database,
    /// and <paramref name="agents"/> agents given every server's URL (2 CPUs, 4 GiB, no GPUs, 500 ms heartbeats);
    /// returns once every node is ready and one server leads.
    /// </summary>
    public static async Task<HaCluster> StartAsync(int servers = 3, int agents = 0, string[]? serverArgs = null, string[]? agentArgs = null)
    {
        var clock = Stopwatch.StartNew();
        var postgres = await PostgresServer.StartAsync();
        HaCluster cluster;
        try
        {
            cluster = new HaCluster(postgres, await postgres.CreateDatabaseAsync(), agentArgs ?? []);
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
        try
        {
            await cluster.StartServersAsync(servers, serverArgs ?? []);
            cluster.Log.Append($"[test] PostgreSQL and {servers} chas servers answered after {clock.Elapsed.TotalSeconds:0.0} s");
            var leader = cluster._firstLeader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
            cluster.Log.Append($"[test] {leader.Description} leads after {clock.Elapsed.TotalSeconds:0.0} s");
            for (var i = 0; i < agents; i++) await cluster.AddAgentAsync($"{(char)('a' + i)}");
            if (agents > 0) cluster.Log.Append($"[test] {agents} node(s) ready after {clock.Elapsed.TotalSeconds:0.0} s");
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    private async Task StartServersAsync(int count, string[] serverArgs)
    {
        var started = Enumerable.Range(1, count)
            .Select(i => ChasServerProcess.StartAsync(new ChasServerSettings { Label = $"server-{i}", TempPrefix = "chas-ha-server-" },
                ["--store", StoreUri, .. serverArgs]))
            .ToList();
        try
        {
            await Task.WhenAll(started);
        }
        finally
        {
            // Whatever started belongs to the cluster, so that disposing it stops them all.
            _servers.AddRange(started.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }
        _client = new ChasClient(new ServerEndpoints(_servers.Select(s => s.Url)), AdminToken);
        _noGpus = FakeNvidiaSmi.Write(_servers[0].TempDir, gpus: 0);
    }

    /// <summary>One more node, named <c>ha-{cluster}-{suffix}</c>, given every server's URL; stopped with the cluster.</summary>
    public async Task<AgentProcess> AddAgentAsync(string suffix, params string[] extraArgs)
    {
        var agent = await AgentProcess.StartAsync(this, $"ha-{_id}-{suffix}",
            ["--cpu", NodeCpu, "--memory", NodeMemory, "--heartbeat-interval", "500ms", "--nvidia-smi", _noGpus!, .. _agentArgs, .. extraArgs]);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>What <paramref name="server"/> says of the leadership; throws when it does not answer within 2 s.</summary>
    public async Task<LeadershipStatus> LeadershipOfAsync(ChasServerProcess server)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Url, "api/v1/leadership"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), ChasJsonContext.Default.LeadershipStatus)
            ?? throw new InvalidOperationException($"{server.Url}api/v1/leadership answered null");
    }

    /// <summary>
    /// Waits until exactly one of <paramref name="among"/> (default: every server not killed) says it leads and every
    /// other one of them answers and names it as the leader; returns the leader.
    /// </summary>
    public async Task<ChasServerProcess> WaitForLeaderAsync(TimeSpan deadline, IEnumerable<ChasServerProcess>? among = null)
    {
        var candidates = (among ?? _servers.Where(s => !s.HasExited)).ToList();
        var views = await Eventually.GetAsync(
            async () => await Task.WhenAll(candidates.Select(async s => (Server: s, Status: await LeadershipOfAsync(s)))),
            all => all.Count(v => v.Status.IsLeader) == 1
                && all.All(v => v.Status.Leader == all.Single(l => l.Status.IsLeader).Status.ServerId),
            deadline, $"exactly one of {candidates.Count} servers to lead, the others agreeing", Diagnostics);
        return views.Single(v => v.Status.IsLeader).Server;
    }

    public void TrackNode(string nodeName)
    {
        foreach (var server in _servers) server.TrackNode(nodeName);
    }

    public string Diagnostics()
    {
        var text = new StringBuilder();
        foreach (var server in _servers) text.Append(server.Diagnostics()).Append('\n');
        text.Append("--- agents and test notes ---\n").Append(Log.Tail()).Append('\n');
        text.Append("--- PostgreSQL log ---\n").Append(Postgres.LogTail());
        return text.ToString();
    }

    /// <summary>Everything every process printed, for the test output.</summary>
    public string FullOutput()
    {
        var text = new StringBuilder();
        foreach (var server in _servers) text.Append($"--- {server.Description} ---\n").Append(server.Log.Since(0));
        text.Append("--- agents and test notes ---\n").Append(Log.Since(0));
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents) await agent.DisposeAsync();
        foreach (var server in _servers) await server.DisposeAsync();
        _client?.Dispose();
        _http.Dispose();
        await Postgres.DisposeAsync();
    }
}
