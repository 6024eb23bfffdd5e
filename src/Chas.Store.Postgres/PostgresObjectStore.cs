using System.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Chas.Store.Postgres;

/// <summary>
/// <see cref="IObjectStore"/> on a PostgreSQL database that several servers share. Every commit takes the
/// next global revision in its own transaction (see <see cref="PostgresCommitWriter"/>) and appends its
/// changes to the <c>changes</c> table; each server's <see cref="PostgresChangeFeed"/> carries them into a
/// local <see cref="WatchHub"/>, so watches behave as on SQLite whichever server made the commit. Also the
/// servers' leases (<see cref="ILeaseStore"/>) and shared counters (<see cref="ISharedCounters"/>).
/// A database that cannot be reached surfaces as <see cref="StoreUnavailableException"/>; once it is back,
/// the same instance works again (the pool opens new connections, the feed reconnects and catches up).
/// </summary>
public sealed partial class PostgresObjectStore : IObjectStore, ILeaseStore, ISharedCounters
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly WatchHub _hub;
    private readonly PostgresChangeFeed _feed;
    private readonly PostgresStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _database;
    private int _disposed;

    private PostgresObjectStore(NpgsqlDataSource dataSource, WatchHub hub, PostgresChangeFeed feed,
        PostgresStoreOptions options, ILogger logger, string database)
    {
        _dataSource = dataSource;
        _hub = hub;
        _feed = feed;
        _options = options;
        _logger = logger;
        _database = database;
    }

    /// <summary>The last revision this server's change feed has published to its watches.</summary>
    public long CurrentRevision => _hub.LastRevision;

    internal WatchHub Hub => _hub;

    /// <summary>
    /// Connects, brings the schema up to date, loads the recent history (see
    /// <see cref="PostgresStoreOptions.ReplayHistoryAtOpen"/>) and starts the change feed.
    /// </summary>
    public static async Task<PostgresObjectStore> OpenAsync(PostgresStoreOptions options, ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HistorySize, 1);
        logger ??= NullLogger.Instance;

        var builder = PostgresConnectionString.Parse(options.ConnectionString);
        // A LISTEN connection that died silently (a partition, not a restart) is found by its keepalive.
        if (builder.KeepAlive == 0) builder.KeepAlive = 15;
        var database = $"{builder.Host}:{builder.Port}/{builder.Database}";
        var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        try
        {
            await PostgresMigrations.ApplyAsync(dataSource, logger, cancellationToken);
            var (revision, floor, history) = await LoadHistoryAsync(dataSource, options, cancellationToken);

            var hub = new WatchHub(floor, options.HistorySize, options.WatchBufferSize, logger, options.SeparateHistoryKinds);
            foreach (var commit in PostgresChangeFeed.GroupByRevision(history))
            {
                hub.Publish(commit);
            }
            var feed = new PostgresChangeFeed(dataSource, hub, revision, options, logger);
            feed.Start();
            PostgresStoreLog.StoreOpened(logger, database, revision, floor);
            return new PostgresObjectStore(dataSource, hub, feed, options, logger, database);
        }
        catch (Exception exception)
        {
            await dataSource.DisposeAsync();
            throw PostgresErrors.Translate(exception, "open");
        }
    }

    public Task<StoredObject?> GetAsync(string kind, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return ReadAsync("get", async () =>
        {
            await using var command = _dataSource.CreateCommand("SELECT version, json FROM objects WHERE kind = $1 AND key = $2");
            command.Parameters.AddWithValue(kind);
            command.Parameters.AddWithValue(key);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new StoredObject(kind, key, reader.GetInt64(0), reader.GetString(1))
                : null;
        });
    }

    public Task<StoredList> ListAsync(string kind, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        return ReadAsync("list", async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            // One snapshot: the items and the revision describe the same moment, so a watch from that
            // revision continues exactly where the list ends.
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            long revision;
            await using (var command = new NpgsqlCommand("SELECT value FROM meta WHERE name = 'revision'", connection, transaction))
            {
                revision = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            }

            var items = new List<StoredObject>();
            await using (var command = new NpgsqlCommand("SELECT key, version, json FROM objects WHERE kind = $1 ORDER BY key", connection, transaction))
            {
                command.Parameters.AddWithValue(kind);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    items.Add(new StoredObject(kind, reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
                }
            }
            await transaction.CommitAsync(cancellationToken);
            return new StoredList(items, revision);
        });
    }

    public async Task<long> CommitAsync(IReadOnlyList<WriteOp> writes, CancellationToken cancellationToken = default)
    {
        CommitChecks.EnsureWellFormed(writes);
        ThrowIfDisposed();
        var fence = StoreFence.Current;

        long revision;
        for (var attempt = 1; ; attempt++)
        {
            var commitSent = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                revision = await PostgresCommitWriter.ApplyAsync(connection, writes, fence, () => commitSent = true, cancellationToken);
                break;
            }
            catch (Exception exception) when (PostgresErrors.IsUnavailable(exception))
            {
                // Connections broken by a database restart stay in the pool until used: drop them all.
                _dataSource.Clear();
                // Retried once when it certainly wrote nothing: the first try may have drawn a dead pooled connection.
                if (commitSent || attempt > 1 || cancellationToken.IsCancellationRequested)
                {
                    throw PostgresErrors.Translate(exception, commitSent ? "commit, outcome unknown" : "commit");
                }
            }
        }

        // Read your own writes: this server's watches and caches have the commit before the caller goes on.
        // The commit is done whatever happens here, so neither a timeout nor a cancellation may fail it.
        _feed.Wake();
        try
        {
            if (!await _feed.WaitForAsync(revision, _options.ReadOwnWritesTimeout, cancellationToken) && Volatile.Read(ref _disposed) == 0)
            {
                PostgresStoreLog.OwnWriteNotSeen(_logger, revision, _options.ReadOwnWritesTimeout);
            }
        }
        catch (OperationCanceledException)
        {
            // The caller stopped waiting; the revision is still its commit's.
        }
        return revision;
    }

    public IAsyncEnumerable<ChangeEvent> WatchAsync(IReadOnlySet<string>? kinds, long sinceRevision,
        CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _hub.Subscribe(kinds, sinceRevision, cancellationToken);
    }

    /// <summary>Stops the change feed, ends every watch and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _feed.DisposeAsync();
        _hub.Complete();
        var revision = _hub.LastRevision;
        await _dataSource.DisposeAsync();
        PostgresStoreLog.StoreClosed(_logger, _database, revision);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    // A read is safe to retry: once, at once, after dropping connections a restart broke.
    private async Task<T> ReadAsync<T>(string operation, Func<Task<T>> read)
    {
        ThrowIfDisposed();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception exception) when (PostgresErrors.IsUnavailable(exception))
            {
                _dataSource.Clear();
                if (attempt > 1) throw PostgresErrors.Translate(exception, operation);
            }
        }
    }

    /// <summary>
    /// The revision now, the floor below which the loaded history is incomplete, and the loaded changes, in
    /// one snapshot. Only whole commits are loaded; every commit since the changes table exists has rows
    /// there, so the history is complete from the revision just below the oldest row loaded.
    /// </summary>
    private static async Task<(long Revision, long Floor, List<ChangeEvent> History)> LoadHistoryAsync(
        NpgsqlDataSource dataSource, PostgresStoreOptions options, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        long revision;
        await using (var command = new NpgsqlCommand("SELECT value FROM meta WHERE name = 'revision'", connection, transaction))
        {
            revision = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        if (!options.ReplayHistoryAtOpen)
        {
            return (revision, revision, []);
        }

        // Commits after the revision of the (HistorySize+1)-th newest row fit in the hub's history whole.
        await using var load = new NpgsqlCommand("""
            SELECT revision, type, kind, key, json FROM changes
            WHERE revision > COALESCE((SELECT revision FROM changes ORDER BY revision DESC, ordinal DESC OFFSET $1 LIMIT 1), -1)
            ORDER BY revision, ordinal
            """, connection, transaction);
        load.Parameters.AddWithValue(options.HistorySize);
        var history = await PostgresChangeFeed.ReadChangesAsync(load, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var floor = history.Count > 0 ? history[0].Revision - 1 : revision;
        return (revision, floor, history);
    }
}
