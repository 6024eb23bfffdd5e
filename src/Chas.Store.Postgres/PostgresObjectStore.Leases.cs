using Npgsql;

namespace Chas.Store.Postgres;

/// <summary>
/// The leases of <see cref="ILeaseStore"/> in table <c>leases</c>. Expiry is judged by the database's now(),
/// so servers with skewed clocks agree; every statement is one atomic row update, so two servers racing
/// for a free lease cannot both win.
/// </summary>
public sealed partial class PostgresObjectStore
{
    // A new holder (the lease was free or its term over) gets the next token; the holder of a live term keeps
    // its token and gets a longer term; anyone else changes nothing (the WHERE clause), and reads the lease.
    private const string AcquireSql = """
        WITH taken AS (
            INSERT INTO leases AS l (name, holder, token, expires_at) VALUES ($1, $2, 1, now() + $3)
            ON CONFLICT (name) DO UPDATE SET
                token = CASE WHEN l.holder = excluded.holder AND l.expires_at > now() THEN l.token ELSE l.token + 1 END,
                holder = excluded.holder,
                expires_at = excluded.expires_at
            WHERE l.holder = excluded.holder OR l.expires_at <= now()
            RETURNING name, holder, token, expires_at
        )
        SELECT name, holder, token, expires_at FROM taken
        UNION ALL
        SELECT name, holder, token, expires_at FROM leases WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM taken)
        """;

    public Task<LeaseRecord> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return WriteAsync("acquire lease", async () =>
        {
            await using var command = _dataSource.CreateCommand(AcquireSql);
            command.Parameters.AddWithValue(name);
            command.Parameters.AddWithValue(holder);
            command.Parameters.AddWithValue(duration);
            return await ReadLeaseAsync(command, cancellationToken)
                ?? throw new InvalidOperationException($"lease '{name}' was neither taken nor found");
        });
    }

    public Task<bool> RenewAsync(string name, string holder, long token, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        return WriteAsync("renew lease", async () =>
        {
            await using var command = _dataSource.CreateCommand("""
                UPDATE leases SET expires_at = now() + $4
                WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now()
                """);
            command.Parameters.AddWithValue(name);
            command.Parameters.AddWithValue(holder);
            command.Parameters.AddWithValue(token);
            command.Parameters.AddWithValue(duration);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        });
    }

    public Task ReleaseAsync(string name, string holder, long token, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        return WriteAsync("release lease", async () =>
        {
            // Expired rather than deleted: the row keeps its token, so the next holder's token is still higher.
            await using var command = _dataSource.CreateCommand("""
                UPDATE leases SET expires_at = now()
                WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now()
                """);
            command.Parameters.AddWithValue(name);
            command.Parameters.AddWithValue(holder);
            command.Parameters.AddWithValue(token);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        });
    }

    public Task<LeaseRecord?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ReadAsync("get lease", async () =>
        {
            await using var command = _dataSource.CreateCommand("SELECT name, holder, token, expires_at FROM leases WHERE name = $1");
            command.Parameters.AddWithValue(name);
            return await ReadLeaseAsync(command, cancellationToken);
        });
    }

    private static async Task<LeaseRecord?> ReadLeaseAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new LeaseRecord(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    // One statement, one row: when the connection fails the statement either applied or not, and the
    // caller (a leader elector) asks again on its next tick; so no retry here, only the translation.
    private async Task<T> WriteAsync<T>(string operation, Func<Task<T>> write)
    {
        ThrowIfDisposed();
        try
        {
            return await write();
        }
        catch (Exception exception) when (PostgresErrors.IsUnavailable(exception))
        {
            _dataSource.Clear();
            throw PostgresErrors.Translate(exception, operation);
        }
    }
}
