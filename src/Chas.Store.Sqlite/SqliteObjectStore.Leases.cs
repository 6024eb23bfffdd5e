using Microsoft.Data.Sqlite;

namespace Chas.Store.Sqlite;

/// <summary>
/// Leases in the same file as the objects, taken under the writer lock in IMMEDIATE transactions, so that a
/// fenced commit and a take of the lease never interleave. Expiry is judged by <see cref="SqliteStoreOptions.Time"/>.
/// </summary>
public sealed partial class SqliteObjectStore : ILeaseStore
{
    public Task<LeaseRecord> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken = default) =>
        UnderWriteLockAsync(name, holder, duration, (transaction, now) =>
        {
            var current = SqliteLeaseRows.Read(_writer.Connection, transaction, name);
            var expires = now + (long)duration.TotalMilliseconds;
            SqliteLeaseRows.Row? taken = current switch
            {
                null => new SqliteLeaseRows.Row(holder, 1, expires),
                // The holder extends its own live term under the same token.
                _ when current.Holder == holder && current.ExpiresAtMs > now => current with { ExpiresAtMs = expires },
                // Expired or released: a new term, whoever takes it, so a lapsed term's late writes stay refused.
                _ when current.ExpiresAtMs <= now => new SqliteLeaseRows.Row(holder, current.Token + 1, expires),
                _ => null,
            };
            if (taken is null) return Record(name, current!);
            SqliteLeaseRows.Write(_writer.Connection, transaction, name, taken);
            transaction.Commit();
            return Record(name, taken);
        }, cancellationToken);

    public Task<bool> RenewAsync(string name, string holder, long token, TimeSpan duration, CancellationToken cancellationToken = default) =>
        UnderWriteLockAsync(name, holder, duration, (transaction, now) =>
        {
            var current = SqliteLeaseRows.Read(_writer.Connection, transaction, name);
            // Expired but not taken by anyone is still this term: nobody else can have written under another token.
            if (current is null || current.Holder != holder || current.Token != token) return false;
            SqliteLeaseRows.Write(_writer.Connection, transaction, name, current with { ExpiresAtMs = now + (long)duration.TotalMilliseconds });
            transaction.Commit();
            return true;
        }, cancellationToken);

    public Task ReleaseAsync(string name, string holder, long token, CancellationToken cancellationToken = default) =>
        UnderWriteLockAsync(name, holder, TimeSpan.Zero, (transaction, _) =>
        {
            var current = SqliteLeaseRows.Read(_writer.Connection, transaction, name);
            if (current is null || current.Holder != holder || current.Token != token) return false;
            SqliteLeaseRows.Write(_writer.Connection, transaction, name, current with { Holder = "", ExpiresAtMs = 0 });
            transaction.Commit();
            return true;
        }, cancellationToken);

    public async Task<LeaseRecord?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT holder, token, expires_at FROM leases WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? Record(name, new SqliteLeaseRows.Row(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)))
            : null;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static LeaseRecord Record(string name, SqliteLeaseRows.Row row) =>
        new(name, row.Holder, row.Token, DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAtMs));

    private async Task<T> UnderWriteLockAsync<T>(string name, string holder, TimeSpan duration,
        Func<SqliteTransaction, long, T> operation, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Not committed: the transaction rolls back on dispose.
            using var transaction = _writer.Connection.BeginTransaction(deferred: false);
            return operation(transaction, NowMs());
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
