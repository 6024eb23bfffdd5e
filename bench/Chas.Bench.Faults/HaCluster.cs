using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chas.Contracts;

namespace Chas.Bench.Faults;

/// <summary>
/// A private PostgreSQL and N `chas server --store postgres://…` processes on one database, as an operator runs an
/// HA control plane: any server answers the API, one leads. A server can be killed (SIGKILL, as kill -9) and a new
/// one started in its place (a fresh data directory and port: its state and secrets come from the database).
/// </summary>
internal sealed class HaCluster : IAsyncDisposable
{
    private readonly ChasServerSettings _settings;
    private readonly ChasServerProcess?[] _servers;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private HaCluster(PostgresServer postgres, string storeUri, ChasServerSettings settings, int count)
    {
        Postgres = postgres;
        StoreUri = storeUri;
        _settings = settings;
        _servers = new ChasServerProcess?[count];
    }

    public PostgresServer Postgres { get; }
    public string StoreUri { get; }
    public string AdminToken { get; private set; } = "";
    public string NodeToken { get; private set; } = "";

    /// <summary>The servers now running, with their slot.</summary>
    public IReadOnlyList<(int Slot, ChasServerProcess Server)> Live
    {
        get
        {
            lock (_servers) return [.. _servers.Select((s, i) => (i, s)).Where(p => p.s is not null).Select(p => (p.i, p.s!))];
        }
    }

    public static async Task<HaCluster> StartAsync(int count, FaultsOptions options)
    {
        var postgres = await PostgresServer.StartAsync();
        try
        {
            var database = await postgres.CreateDatabaseAsync("chas_faults");
            var cluster = new HaCluster(postgres, postgres.UriFor(database), ServerSettings(options, "chas-bench-ha-"), count);
            // One after the other: the first writes the cluster's secrets into the database, the others read them.
            for (var slot = 0; slot < count; slot++) await cluster.StartAsync(slot);
            return cluster;
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    /// <summary>The settings of a bench's `chas server`: the chosen executable, no image import (hollow nodes).</summary>
    public static ChasServerSettings ServerSettings(FaultsOptions options, string prefix) => new()
    {
        ImportBusybox = false,
        StartDeadline = TimeSpan.FromSeconds(60),
        TempPrefix = prefix,
        Process = new ChasProcessOptions { Executable = options.ChasPath, Echo = options.Verbose },
    };

    /// <summary>Starts a server in <paramref name="slot"/> (empty, or whose server was killed).</summary>
    public async Task StartAsync(int slot)
    {
        var server = await ChasServerProcess.StartAsync(_settings, "--store", StoreUri);
        lock (_servers) _servers[slot] = server;
        AdminToken = server.AdminToken;
        NodeToken = server.NodeToken;
    }

    /// <summary>SIGKILL, no grace: what kill -9 does. Its temporary directory goes too.</summary>
    public async Task KillAsync(int slot)
    {
        ChasServerProcess? server;
        lock (_servers)
        {
            server = _servers[slot];
            _servers[slot] = null;
        }
        if (server is not null) await server.DisposeAsync();
    }

    /// <summary>The slot whose server says it leads, once exactly one does (null at the deadline).</summary>
    public async Task<int?> FindLeaderAsync(TimeSpan deadline, CancellationToken ct)
    {
        using var until = CancellationTokenSource.CreateLinkedTokenSource(ct);
        until.CancelAfter(deadline);
        while (!until.IsCancellationRequested)
        {
            var leaders = new List<int>();
            foreach (var (slot, server) in Live)
            {
                if (await LeadershipAsync(server.Url, until.Token) is { IsLeader: true }) leaders.Add(slot);
            }
            if (leaders.Count == 1) return leaders[0];
            try
            {
                await Task.Delay(50, until.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                break;
            }
        }
        ct.ThrowIfCancellationRequested();
        return null;
    }

    /// <summary>GET /api/v1/leadership of one server; null when it does not answer.</summary>
    public async Task<LeadershipStatus?> LeadershipAsync(Uri server, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, "api/v1/leadership"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            using var response = await _http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) return null;
            return await response.Content.ReadFromJsonAsync(ChasJsonContext.Default.LeadershipStatus, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public string Diagnostics() => string.Join('\n', Live.Select(s => s.Server.Diagnostics())) + "\n--- postgres ---\n" + Postgres.LogTail();

    public async ValueTask DisposeAsync()
    {
        for (var slot = 0; slot < _servers.Length; slot++) await KillAsync(slot);
        _http.Dispose();
        await Postgres.DisposeAsync();
    }
}
