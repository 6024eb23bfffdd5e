using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chas.Store.Sqlite;

/// <summary>
/// <see cref="IObjectStore"/> in one SQLite file, in WAL mode so that reads never wait for the writer.
/// One process owns the file: the global revision is kept in memory between commits. Also the
/// <see cref="ILeaseStore"/> of that process (see SqliteObjectStore.Leases.cs).
/// </summary>
public sealed partial class SqliteObjectStore : IObjectStore
{
    private readonly string _path;
    private readonly string _readConnectionString;
    private readonly SqliteCommitWriter _writer;
    private readonly WatchHub _hub;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    // SQLite has one writer anyway; taking turns here keeps commit order equal to event order.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private long _revision;
    private volatile bool _disposed;

    private SqliteObjectStore(string path, string readConnectionString, SqliteCommitWriter writer, WatchHub hub,
        long revision, TimeProvider time, ILogger logger)
    {
        _time = time;
        _path = path;
        _readConnectionString = readConnectionString;
        _writer = writer;
        _hub = hub;
        _revision = revision;
        _logger = logger;
    }

    public long CurrentRevision => Volatile.Read(ref _revision);

    internal WatchHub Hub => _hub;

    /// <summary>Opens (creating when missing) the database file and brings its schema up to date.</summary>
    public static async Task<SqliteObjectStore> OpenAsync(SqliteStoreOptions options, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath);
        logger ??= NullLogger.Instance;

        var path = Path.GetFullPath(options.DatabasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // The writer keeps its own connection for the store's lifetime; readers borrow from the pool.
        var connection = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadWriteCreate, pooling: false, options));
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ConfigureWriterAsync(connection, options, logger, cancellationToken);
            await SqliteMigrations.ApplyAsync(connection, logger, cancellationToken);
            SqliteLeaseRows.VoidAll(connection);
            var revision = await ReadRevisionAsync(connection, null, cancellationToken);

            var hub = new WatchHub(revision, options.HistorySize, options.WatchBufferSize, logger, options.SeparateHistoryKinds);
            var writer = new SqliteCommitWriter(connection);
            var readConnectionString = ConnectionString(path, SqliteOpenMode.ReadWrite, pooling: true, options);
            SqliteStoreLog.StoreOpened(logger, path, revision);
            return new SqliteObjectStore(path, readConnectionString, writer, hub, revision, options.Time, logger);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<StoredObject?> GetAsync(string kind, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(key);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, json FROM objects WHERE kind = $kind AND key = $key";
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredObject(kind, key, reader.GetInt64(0), reader.GetString(1))
            : null;
    }

    public async Task<StoredList> ListAsync(string kind, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        await using var connection = await OpenReaderAsync(cancellationToken);

        // One read transaction is one WAL snapshot: the items and the revision describe the same
        // moment, so a watch from that revision continues exactly where the list ends.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var revision = await ReadRevisionAsync(connection, transaction, cancellationToken);

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT key, version, json FROM objects WHERE kind = $kind ORDER BY key";
        command.Parameters.AddWithValue("$kind", kind);
        var items = new List<StoredObject>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new StoredObject(kind, reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
            }
        }
        transaction.Commit();
        return new StoredList(items, revision);
    }

    public async Task<long> CommitAsync(IReadOnlyList<WriteOp> writes, CancellationToken cancellationToken = default)
    {
        CommitChecks.EnsureWellFormed(writes);
        ObjectDisposedException.ThrowIf(_disposed, this);

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var newRevision = _revision + 1;
            var changes = _writer.Apply(writes, newRevision, StoreFence.Current, NowMs());
            Volatile.Write(ref _revision, newRevision);
            // Still under the writer lock, so watchers see commits in exactly the order they happened.
            _hub.Publish(changes);
            return newRevision;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public IAsyncEnumerable<ChangeEvent> WatchAsync(IReadOnlySet<string>? kinds, long sinceRevision,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _hub.Subscribe(kinds, sinceRevision, cancellationToken);
    }

    /// <summary>Waits for a commit in progress, ends every watch, and closes the database file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _hub.Complete();
            _writer.Dispose();
            // Pooled readers would otherwise keep the file open after the store is gone.
            using (var pooled = new SqliteConnection(_readConnectionString))
            {
                SqliteConnection.ClearPool(pooled);
            }
            SqliteStoreLog.StoreClosed(_logger, _path, _revision);
        }
        finally
        {
            // Released, not disposed: a commit waiting for the lock must wake up to its ObjectDisposedException.
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task<long> ReadRevisionAsync(SqliteConnection connection, SqliteTransaction? transaction,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM meta WHERE name = 'revision'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }

    private static async Task ConfigureWriterAsync(SqliteConnection connection, SqliteStoreOptions options, ILogger logger,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        // WAL is a property of the file (it persists); the others are per connection.
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken)) ?? "";
        if (!mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
        {
            SqliteStoreLog.NotWal(logger, mode);
        }

        var synchronous = options.SynchronousFull ? "FULL" : "NORMAL";
        command.CommandText = $"""
            PRAGMA synchronous = {synchronous};
            PRAGMA busy_timeout = {(int)options.BusyTimeout.TotalMilliseconds};
            PRAGMA foreign_keys = ON;
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Readers get foreign keys through the connection string and ride out SQLITE_BUSY with
    // Microsoft.Data.Sqlite's own retry for up to DefaultTimeout, which plays the part of busy_timeout.
    private static string ConnectionString(string path, SqliteOpenMode mode, bool pooling, SqliteStoreOptions options) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Cache = SqliteCacheMode.Private,
            Pooling = pooling,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString();
}
