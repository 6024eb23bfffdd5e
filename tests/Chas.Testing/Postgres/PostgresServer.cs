using Chas.Store.Postgres;

namespace Chas.Testing.Postgres;

/// <summary>
/// A private PostgreSQL server for one test class: a <see cref="LocalPostgres"/> (fsync off) in a temporary
/// directory on a free port, with a fresh database per test. It can be stopped and started again on the same
/// port and data (a database restart), or killed (a crash); disposing it stops it and deletes everything.
/// Connections use trust authentication as user <c>postgres</c>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly LocalPostgres _postgres;

    private PostgresServer(TempDirectory directory, LocalPostgres postgres)
    {
        _directory = directory;
        _postgres = postgres;
    }

    public int Port => _postgres.Port;

    public string DataDirectory => _postgres.DataDirectory;

    /// <summary>Npgsql's form, for the maintenance database <c>postgres</c>.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>Npgsql's form, for <paramref name="database"/>.</summary>
    public string ConnectionStringFor(string database) => _postgres.ConnectionStringFor(database);

    /// <summary>The URI form (<c>postgres://postgres@127.0.0.1:port/database</c>) of <see cref="ConnectionStringFor"/>.</summary>
    public string UriFor(string database) => _postgres.UriFor(database);

    /// <summary>Creates the cluster and starts it; returns once it accepts connections.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var directory = TempDirectory.Create("chas-pg-");
        var server = new PostgresServer(directory, LocalPostgres.Create(directory.Path, PortRanges.FreeTcpPort(), new LocalPostgresOptions { Durable = false }));
        try
        {
            await server._postgres.InitAndStartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new empty database; returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "test_" + Guid.NewGuid().ToString("N")[..12];
        if (!await _postgres.EnsureDatabaseAsync(name)) throw new InvalidOperationException($"database {name} already exists");
        return name;
    }

    /// <summary>Drops <paramref name="name"/>, ending whatever connections it still has.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        if (_postgres.IsRunning) await _postgres.DropDatabaseAsync(name);
    }

    /// <summary>A clean shutdown (fast mode: clients are disconnected with 57P01, data is checkpointed).</summary>
    public Task StopAsync() => _postgres.StopAsync();

    /// <summary>A crash: immediate shutdown, no checkpoint; the next start recovers from the WAL.</summary>
    public Task KillAsync() => _postgres.KillAsync();

    /// <summary>Starts the server on the same port and data directory; returns once it accepts connections.</summary>
    public Task StartAgainAsync() => _postgres.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _postgres.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>The end of the server's log, for a failure's message.</summary>
    public string LogTail() => _postgres.LogTail();
}
