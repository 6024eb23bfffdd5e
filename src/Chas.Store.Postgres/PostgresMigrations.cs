using Microsoft.Extensions.Logging;
using Npgsql;

namespace Chas.Store.Postgres;

/// <summary>
/// The PostgreSQL schema as an ordered list of steps. Each step runs once per database, in its own
/// transaction, and is recorded in <c>schema_migrations</c>. Steps are append-only: a released step is
/// never edited, because databases in the field have already applied it; change the schema by adding one.
/// Several servers may start at once on one database: every step holds a transaction-scoped advisory
/// lock, so exactly one of them applies it and the others then see it applied.
/// </summary>
internal static class PostgresMigrations
{
    internal sealed record Migration(int Version, string Description, string Sql);

    // An arbitrary constant: the advisory lock id that every CHaS server takes while migrating.
    internal const long MigrationLockId = 0x43_48_61_53_00_01; // "CHaS" 0 1

    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "objects and the global revision", """
            CREATE TABLE objects (
                kind    text   NOT NULL,
                key     text   NOT NULL,
                version bigint NOT NULL,
                json    text   NOT NULL,
                PRIMARY KEY (kind, key)
            );

            -- One row holds the global revision. Every commit updates it first, so its row lock puts
            -- commits in one order and revision N becomes visible only after every revision below N.
            CREATE TABLE meta (
                name  text   PRIMARY KEY,
                value bigint NOT NULL
            );
            INSERT INTO meta (name, value) VALUES ('revision', 0);
            """),
        new(2, "the change log that feeds every server's watches", """
            -- type: 0 added, 1 modified, 2 deleted (ChangeType); json: the new state, or the last one for deletes.
            CREATE TABLE changes (
                revision bigint   NOT NULL,
                ordinal  integer  NOT NULL,
                type     smallint NOT NULL,
                kind     text     NOT NULL,
                key      text     NOT NULL,
                json     text     NOT NULL,
                PRIMARY KEY (revision, ordinal)
            );
            """),
        new(3, "leases and shared counters", """
            CREATE TABLE leases (
                name       text        PRIMARY KEY,
                holder     text        NOT NULL,
                token      bigint      NOT NULL,
                expires_at timestamptz NOT NULL
            );

            CREATE TABLE counters (
                key          text        NOT NULL,
                window_start timestamptz NOT NULL,
                window_end   timestamptz NOT NULL,
                count        bigint      NOT NULL,
                PRIMARY KEY (key, window_start)
            );
            CREATE INDEX counters_window_end ON counters (window_end);
            """),
    ];

    /// <summary>Brings the schema up to date, applying at most <paramref name="upTo"/> (tests build old schemas with it).</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, ILogger logger, CancellationToken cancellationToken,
        int? upTo = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // Under the lock too: two concurrent CREATE TABLE IF NOT EXISTS can both try to create it.
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await LockAsync(connection, transaction, cancellationToken);
            await ExecuteAsync(connection, transaction, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """, cancellationToken);
            await RefuseNewerSchemaAsync(connection, transaction, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        foreach (var migration in All.Where(migration => upTo is null || migration.Version <= upTo))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await LockAsync(connection, transaction, cancellationToken);
            if (await IsAppliedAsync(connection, transaction, migration.Version, cancellationToken))
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version) VALUES ($1)", connection, transaction))
            {
                record.Parameters.AddWithValue(migration.Version);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            PostgresStoreLog.MigrationApplied(logger, migration.Version, migration.Description);
        }
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction);
        command.Parameters.AddWithValue(MigrationLockId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // A database written by a newer CHaS may hold data this build would misread; stop rather than guess.
    private static async Task RefuseNewerSchemaAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", connection, transaction);
        var newest = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken));
        var known = All[^1].Version;
        if (newest > known)
        {
            throw new InvalidOperationException(
                $"database schema version {newest} is newer than this build understands ({known}); upgrade CHaS");
        }
    }

    private static async Task<bool> IsAppliedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        int version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", connection, transaction);
        command.Parameters.AddWithValue(version);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
