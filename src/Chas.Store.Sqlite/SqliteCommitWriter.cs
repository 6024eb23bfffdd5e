using Microsoft.Data.Sqlite;

namespace Chas.Store.Sqlite;

/// <summary>
/// Owns the one connection that writes, with its statements prepared once, and applies one commit
/// per transaction. Not thread-safe: <see cref="SqliteObjectStore"/> calls it under its writer lock.
/// </summary>
internal sealed class SqliteCommitWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _selectCurrent;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;
    private readonly SqliteCommand _setRevision;

    /// <param name="connection">Open, configured and migrated; this writer disposes it.</param>
    public SqliteCommitWriter(SqliteConnection connection)
    {
        _connection = connection;
        _selectCurrent = Prepare("SELECT version, json FROM objects WHERE kind = $kind AND key = $key",
            ("$kind", SqliteType.Text), ("$key", SqliteType.Text));
        _upsert = Prepare("""
            INSERT INTO objects (kind, key, version, json) VALUES ($kind, $key, $version, $json)
            ON CONFLICT (kind, key) DO UPDATE SET version = excluded.version, json = excluded.json
            """,
            ("$kind", SqliteType.Text), ("$key", SqliteType.Text), ("$version", SqliteType.Integer), ("$json", SqliteType.Text));
        _delete = Prepare("DELETE FROM objects WHERE kind = $kind AND key = $key",
            ("$kind", SqliteType.Text), ("$key", SqliteType.Text));
        _setRevision = Prepare("UPDATE meta SET value = $revision WHERE name = 'revision'",
            ("$revision", SqliteType.Integer));
    }

    /// <summary>The writer's connection, for the lease operations (under the same lock as commits).</summary>
    public SqliteConnection Connection => _connection;

    /// <summary>
    /// Checks the fence (when given) and every expected version, then writes everything at
    /// <paramref name="newRevision"/>, in one IMMEDIATE transaction. Returns the changes in write order. On any
    /// failure (a <see cref="ConflictException"/> or <see cref="FencedOutException"/> included) the transaction
    /// rolls back and nothing is written.
    /// </summary>
    public IReadOnlyList<ChangeEvent> Apply(IReadOnlyList<WriteOp> writes, long newRevision, Fence? fence, long nowMs)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        if (fence is not null) SqliteLeaseRows.EnsureFenceHolds(_connection, transaction, fence, nowMs);
        var changes = new ChangeEvent[writes.Count];

        // All checks before any write: the state being checked is the state before this commit.
        var previous = new (long Version, string Json)?[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            previous[i] = ReadCurrent(transaction, writes[i].Kind, writes[i].Key);
            CommitChecks.EnsureExpectedVersionHolds(writes[i], previous[i]?.Version);
        }

        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (write.Json is null)
            {
                Execute(_delete, transaction, write.Kind, write.Key);
                changes[i] = new ChangeEvent(newRevision, ChangeType.Deleted, write.Kind, write.Key, previous[i]!.Value.Json);
            }
            else
            {
                Execute(_upsert, transaction, write.Kind, write.Key, newRevision, write.Json);
                var type = previous[i] is null ? ChangeType.Added : ChangeType.Modified;
                changes[i] = new ChangeEvent(newRevision, type, write.Kind, write.Key, write.Json);
            }
        }

        Execute(_setRevision, transaction, newRevision);
        transaction.Commit();
        return changes;
    }

    public void Dispose()
    {
        _selectCurrent.Dispose();
        _upsert.Dispose();
        _delete.Dispose();
        _setRevision.Dispose();
        _connection.Dispose();
    }

    private (long Version, string Json)? ReadCurrent(SqliteTransaction transaction, string kind, string key)
    {
        _selectCurrent.Transaction = transaction;
        _selectCurrent.Parameters[0].Value = kind;
        _selectCurrent.Parameters[1].Value = key;
        using var reader = _selectCurrent.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1)) : null;
    }

    private static void Execute(SqliteCommand command, SqliteTransaction transaction, params object[] values)
    {
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
        command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }
        command.Prepare();
        return command;
    }
}
