using Chas.Client.Failover;
using Chas.Store;
using Chas.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Testing.InProcess;

/// <summary>
/// Several in-process servers on one store object, as several `chas server` processes on one database behave
/// for their clients: a write through one is seen, and watched, through every other. They share one data
/// directory, so one admin token is good on each. They share the store's leases too, so one of them leads (runs the
/// controllers) as on PostgreSQL, and one set of counters (rate limits).
/// </summary>
public sealed class TestServerGroup : IAsyncDisposable
{
    private readonly string _databaseDir;
    private readonly SqliteObjectStore _store;

    private TestServerGroup(string databaseDir, SqliteObjectStore store, IReadOnlyList<TestServer> servers)
    {
        _databaseDir = databaseDir;
        _store = store;
        Servers = servers;
        Endpoints = new ServerEndpoints(servers.Select(s => s.Url));
    }

    public IReadOnlyList<TestServer> Servers { get; }
    public ServerEndpoints Endpoints { get; }
    public string AdminToken => Servers[0].Secrets.AdminToken;

    public static async Task<TestServerGroup> StartAsync(int count = 2)
    {
        // The database lies outside the servers' data directory, which each server deletes when disposed.
        var databaseDir = TempDirectory.NewPath("chas-group-db-");
        Directory.CreateDirectory(databaseDir);
        var dataDir = TempDirectory.NewPath("chas-group-");
        var store = await SqliteObjectStore.OpenAsync(new SqliteStoreOptions { DatabasePath = Path.Combine(databaseDir, "chas.db") });
        var counters = new InMemorySharedCounters();
        var servers = new List<TestServer>();
        try
        {
            for (var i = 0; i < count; i++)
                servers.Add(await TestServer.StartAsync(dataDir: dataDir, services: s => s
                    .AddSingleton<IObjectStore>(store).AddSingleton<ILeaseStore>(store).AddSingleton<ISharedCounters>(counters)));
        }
        catch
        {
            foreach (var started in servers) await started.DisposeAsync();
            await store.DisposeAsync();
            throw;
        }
        return new TestServerGroup(databaseDir, store, servers);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers) await server.DisposeAsync();
        await _store.DisposeAsync();
        TempDirectory.TryDelete(_databaseDir);
    }
}
