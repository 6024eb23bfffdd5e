namespace Chas.Store.Tests;

/// <summary>A <see cref="SqliteObjectStore"/> on a database file in its own temporary directory, deleted on dispose.</summary>
internal sealed class TempStore : IAsyncDisposable
{
    private readonly string _directory;
    private readonly SqliteStoreOptions _options;

    private TempStore(string directory, SqliteStoreOptions options, SqliteObjectStore store)
    {
        _directory = directory;
        _options = options;
        Store = store;
    }

    public SqliteObjectStore Store { get; private set; }

    public string DatabasePath => _options.DatabasePath;

    /// <param name="configure">Adjusts the options; the database path is already set.</param>
    public static async Task<TempStore> CreateAsync(Func<SqliteStoreOptions, SqliteStoreOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chas-store-tests", Guid.NewGuid().ToString("N"));
        // A subdirectory that does not exist yet: opening the store must create it.
        var options = new SqliteStoreOptions { DatabasePath = Path.Combine(directory, "data", "chas.db") };
        options = configure?.Invoke(options) ?? options;
        return new TempStore(directory, options, await SqliteObjectStore.OpenAsync(options));
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
