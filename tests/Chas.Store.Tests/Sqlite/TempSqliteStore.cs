using Chas.Store.ContractTests;
using Chas.Store.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Store.Tests.Sqlite;

/// <summary>
/// A <see cref="SqliteObjectStore"/> on a database file in its own temporary directory, deleted on dispose, judging
/// lease expiry by a <see cref="FakeTimeProvider"/> that <see cref="LetTimePassAsync"/> advances.
/// </summary>
internal sealed class TempSqliteStore : IStoreUnderTest
{
    private readonly string _directory;
    private readonly SqliteStoreOptions _options;

    private TempSqliteStore(string directory, SqliteStoreOptions options, SqliteObjectStore store, FakeTimeProvider time)
    {
        Time = time;
        _directory = directory;
        _options = options;
        Store = store;
    }

    public SqliteObjectStore Store { get; private set; }

    IObjectStore IStoreUnderTest.Store => Store;

    public int OpenWatchCount => Store.Hub.SubscriberCount;

    public string DatabasePath => _options.DatabasePath;

    /// <summary>The store's clock (unless the options gave another).</summary>
    public FakeTimeProvider Time { get; }

    public Task LetTimePassAsync(TimeSpan span)
    {
        Time.Advance(span);
        return Task.CompletedTask;
    }

    /// <summary>The contract suite's settings in SQLite's terms; null settings keep the SQLite defaults.</summary>
    public static Task<TempSqliteStore> CreateAsync(StoreContractSettings settings) =>
        CreateAsync(options => options with
        {
            HistorySize = settings.HistorySize ?? options.HistorySize,
            WatchBufferSize = settings.WatchBufferSize ?? options.WatchBufferSize,
            SynchronousFull = settings.DurableCommits && options.SynchronousFull,
        });

    /// <param name="configure">Adjusts the options; the database path is already set.</param>
    public static async Task<TempSqliteStore> CreateAsync(Func<SqliteStoreOptions, SqliteStoreOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chas-store-tests", Guid.NewGuid().ToString("N"));
        // A subdirectory that does not exist yet: opening the store must create it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new SqliteStoreOptions { DatabasePath = Path.Combine(directory, "data", "chas.db"), Time = time };
        options = configure?.Invoke(options) ?? options;
        return new TempSqliteStore(directory, options, await SqliteObjectStore.OpenAsync(options), time);
    }

    /// <summary>Closes the store and opens the same file again, as a server restart would.</summary>
    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await SqliteObjectStore.OpenAsync(_options);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
