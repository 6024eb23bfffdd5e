using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Chas.Store.Sqlite;

/// <summary>
/// The SQLite schema as an ordered list of steps. Each step runs once per database, in its own
/// transaction, and is recorded in <c>schema_migrations</c>. Steps are append-only: a released step is
/// never edited, because databases in the field have already applied it; change the schema by adding one.
/// </summary>
internal static class SqliteMigrations
{
    internal sealed record Migration(int Version, string Description, string Sql);

    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "objects and the global revision", """
            CREATE TABLE objects (
                kind    TEXT    NOT NULL,
                key     TEXT    NOT NULL,
                version INTEGER NOT NULL,
                json    TEXT    NOT NULL,
                PRIMARY KEY (kind, key)
            ) WITHOUT ROWID;

            -- The global revision lives in the database so that it keeps increasing across restarts.
            CREATE TABLE meta (
                name  TEXT PRIMARY KEY,
                value INTEGER NOT NULL
            );
            INSERT INTO meta (name, value) VALUES ('revision', 0);
            """),
        new(2, "leases with fencing tokens", """
            -- Not objects: taking or renewing a lease makes no revision and no watch event.
            -- expires_at is in Unix milliseconds on the store's TimeProvider; holder '' means released.
            CREATE TABLE leases (
                name       TEXT    PRIMARY KEY,
                holder     TEXT    NOT NULL,
                token      INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
    ];

    /// <summary>Brings the schema up to date. The connection must be open and have no transaction.</summary>
    public static async Task ApplyAsync(SqliteConnection connection, ILogger logger, CancellationToken cancellationToken)
    {
        // The applied_at time comes from SQLite so that the store never reads the process clock.
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            );
            """, cancellationToken);

        await RefuseNewerSchemaAsync(connection, cancellationToken);

        foreach (var migration in All)
        {
            // IMMEDIATE takes the write lock before checking, so two processes starting at once
            // cannot both apply the same step.
            await using var transaction = connection.BeginTransaction(deferred: false);
            if (await IsAppliedAsync(connection, transaction, migration.Version, cancellationToken))
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version) VALUES ($version)";
                record.Parameters.AddWithValue("$version", migration.Version);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            SqliteStoreLog.MigrationApplied(logger, migration.Version, migration.Description);
        }
    }

    // A database written by a newer CHaS may hold data this build would misread; stop rather than guess.
    private static async Task RefuseNewerSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        var newest = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken));
        var known = All[^1].Version;
        if (newest > known)
        {
            throw new InvalidOperationException(
                $"database schema version {newest} is newer than this build understands ({known}); upgrade CHaS");
        }
    }

    private static async Task<bool> IsAppliedAsync(SqliteConnection connection, SqliteTransaction transaction,
        int version, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE version = $version";
        command.Parameters.AddWithValue("$version", version);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) > 0;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
