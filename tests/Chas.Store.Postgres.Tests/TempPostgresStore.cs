using Chas.Store.ContractTests;

namespace Chas.Store.Postgres.Tests;

/// <summary>A <see cref="PostgresObjectStore"/> on a database of its own on the class's server, dropped on dispose.</summary>
internal sealed class TempPostgresStore : IStoreUnderTest
{
    private readonly PostgresServer _server;
    private readonly string _database;
    private readonly PostgresStoreOptions _options;

    private TempPostgresStore(PostgresServer server, string database, PostgresStoreOptions options, PostgresObjectStore store)
    {
        _server = server;
        _database = database;
        _options = options;
        Store = store;
    }

    public PostgresObjectStore Store { get; private set; }

    IObjectStore IStoreUnderTest.Store => Store;

    public int OpenWatchCount => Store.Hub.SubscriberCount;

    /// <summary>
    /// The contract suite's settings in PostgreSQL's terms. The suite expects a reopened store to watch only
    /// from its current revision (as SQLite, whose history is in memory); this engine can replay its shared
    /// history at open, which <see cref="PostgresObjectStoreTests"/> tests, so the contract runs without it.
    /// Durability is the server's (fsync is off in tests), so DurableCommits changes nothing here.
    /// </summary>
    public static Task<TempPostgresStore> CreateAsync(PostgresServer server, StoreContractSettings settings) =>
        CreateAsync(server, options => options with
        {
            HistorySize = settings.HistorySize ?? options.HistorySize,
            WatchBufferSize = settings.WatchBufferSize ?? options.WatchBufferSize,
            ReplayHistoryAtOpen = false,
        });

    public static async Task<TempPostgresStore> CreateAsync(PostgresServer server,
        Func<PostgresStoreOptions, PostgresStoreOptions>? configure = null)
    {
        var database = await server.CreateDatabaseAsync();
        var options = new PostgresStoreOptions { ConnectionString = server.ConnectionStringFor(database) };
        options = configure?.Invoke(options) ?? options;
        return new TempPostgresStore(server, database, options, await PostgresObjectStore.OpenAsync(options));
    }

    /// <summary>Closes the store and opens the same database again, as a server restart would.</summary>
    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await PostgresObjectStore.OpenAsync(_options);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await _server.DropDatabaseAsync(_database);
    }
}
