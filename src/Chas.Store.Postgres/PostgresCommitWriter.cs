using Npgsql;

namespace Chas.Store.Postgres;

/// <summary>
/// Applies one commit in one transaction: the fence check, the next revision, the expected versions, the
/// object writes, the change rows and the notification, so that either all of it is visible or none.
/// </summary>
internal static class PostgresCommitWriter
{
    // Taking the revision row first makes it the one lock every commit queues on: commits apply one at a
    // time in revision order, and each reads the objects as the previous commit left them.
    private const string NextRevisionSql = "UPDATE meta SET value = value + 1 WHERE name = 'revision' RETURNING value";

    private const string FenceSql = "SELECT token, expires_at > now() FROM leases WHERE name = $1 FOR SHARE";

    private const string CurrentObjectsSql = """
        SELECT o.kind, o.key, o.version, o.json
        FROM objects o JOIN unnest($1::text[], $2::text[]) AS w(kind, key) ON o.kind = w.kind AND o.key = w.key
        FOR UPDATE OF o
        """;

    private const string UpsertSql = """
        INSERT INTO objects (kind, key, version, json)
        SELECT w.kind, w.key, $3, w.json FROM unnest($1::text[], $2::text[], $4::text[]) AS w(kind, key, json)
        ON CONFLICT (kind, key) DO UPDATE SET version = excluded.version, json = excluded.json
        """;

    private const string DeleteSql = """
        DELETE FROM objects o USING unnest($1::text[], $2::text[]) AS w(kind, key)
        WHERE o.kind = w.kind AND o.key = w.key
        """;

    private const string ChangesSql = """
        INSERT INTO changes (revision, ordinal, type, kind, key, json)
        SELECT $1, w.ordinal - 1, w.type, w.kind, w.key, w.json
        FROM unnest($2::smallint[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS w(type, kind, key, json, ordinal)
        """;

    /// <summary>
    /// Applies <paramref name="writes"/> and commits. <paramref name="committing"/> is called just before
    /// COMMIT is sent: a failure before it certainly wrote nothing, one after it may have committed.
    /// Throws <see cref="ConflictException"/> or <see cref="FencedOutException"/> having written nothing.
    /// </summary>
    public static async Task<long> ApplyAsync(NpgsqlConnection connection, IReadOnlyList<WriteOp> writes, Fence? fence,
        Action committing, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (revision, current) = await LockAndReadAsync(connection, transaction, writes, fence, cancellationToken);

        var changes = new ChangeEvent[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            (long Version, string Json)? previous = current.TryGetValue((write.Kind, write.Key), out var found) ? found : null;
            CommitChecks.EnsureExpectedVersionHolds(write, previous?.Version);
            changes[i] = write.Json is null
                ? new ChangeEvent(revision, ChangeType.Deleted, write.Kind, write.Key, previous!.Value.Json)
                : new ChangeEvent(revision, previous is null ? ChangeType.Added : ChangeType.Modified, write.Kind, write.Key, write.Json);
        }

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            var upserts = writes.Where(write => write.Json is not null).ToArray();
            if (upserts.Length > 0)
            {
                batch.BatchCommands.Add(Command(UpsertSql,
                    upserts.Select(write => write.Kind).ToArray(), upserts.Select(write => write.Key).ToArray(),
                    revision, upserts.Select(write => write.Json!).ToArray()));
            }
            var deletes = writes.Where(write => write.Json is null).ToArray();
            if (deletes.Length > 0)
            {
                batch.BatchCommands.Add(Command(DeleteSql,
                    deletes.Select(write => write.Kind).ToArray(), deletes.Select(write => write.Key).ToArray()));
            }
            batch.BatchCommands.Add(Command(ChangesSql, revision,
                changes.Select(change => (short)change.Type).ToArray(), changes.Select(change => change.Kind).ToArray(),
                changes.Select(change => change.Key).ToArray(), changes.Select(change => change.Json).ToArray()));
            // Delivered only when the transaction commits, to every server's change feed.
            batch.BatchCommands.Add(Command($"SELECT pg_notify('{PostgresChangeFeed.NotificationChannel}', $1)",
                revision.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        committing();
        await transaction.CommitAsync(cancellationToken);
        return revision;
    }

    private static async Task<(long Revision, Dictionary<(string Kind, string Key), (long Version, string Json)> Current)> LockAndReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<WriteOp> writes, Fence? fence,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        // The fence first: FOR SHARE holds a takeover of the lease back until this commit is done.
        if (fence is not null) batch.BatchCommands.Add(Command(FenceSql, fence.LeaseName));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(NextRevisionSql));
        batch.BatchCommands.Add(Command(CurrentObjectsSql,
            writes.Select(write => write.Kind).ToArray(), writes.Select(write => write.Key).ToArray()));

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (fence is not null)
        {
            var held = await reader.ReadAsync(cancellationToken) ? (Token: reader.GetInt64(0), Unexpired: reader.GetBoolean(1)) : ((long Token, bool Unexpired)?)null;
            if (held is null) throw new FencedOutException(fence, "the lease was never taken");
            if (held.Value.Token != fence.Token) throw new FencedOutException(fence, $"it is now held under token {held.Value.Token}");
            if (!held.Value.Unexpired) throw new FencedOutException(fence, "its term has expired");
            await reader.NextResultAsync(cancellationToken);
        }

        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("the store's revision row is missing from table meta");
        }
        var revision = reader.GetInt64(0);

        await reader.NextResultAsync(cancellationToken);
        var current = new Dictionary<(string Kind, string Key), (long Version, string Json)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            current[(reader.GetString(0), reader.GetString(1))] = (reader.GetInt64(2), reader.GetString(3));
        }
        return (revision, current);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }
}
