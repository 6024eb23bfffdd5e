using Microsoft.Data.Sqlite;

namespace Chas.Store.Sqlite;

/// <summary>
/// The rows of the <c>leases</c> table, read and written on the writer's connection inside its transaction,
/// so that a lease operation and a fenced commit each see one consistent state. Times are Unix milliseconds.
/// </summary>
internal static class SqliteLeaseRows
{
    internal sealed record Row(string Holder, long Token, long ExpiresAtMs);

    public static Row? Read(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT holder, token, expires_at FROM leases WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Row(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)) : null;
    }

    public static void Write(SqliteConnection connection, SqliteTransaction transaction, string name, Row row)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO leases (name, holder, token, expires_at) VALUES ($name, $holder, $token, $expires)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at
            """;
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$holder", row.Holder);
        command.Parameters.AddWithValue("$token", row.Token);
        command.Parameters.AddWithValue("$expires", row.ExpiresAtMs);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Throws <see cref="FencedOutException"/> unless <paramref name="fence"/>'s lease is held under its token
    /// and unexpired at <paramref name="nowMs"/>; the caller's transaction then rolls back.
    /// </summary>
    public static void EnsureFenceHolds(SqliteConnection connection, SqliteTransaction transaction, Fence fence, long nowMs)
    {
        var row = Read(connection, transaction, fence.LeaseName);
        if (row is null) throw new FencedOutException(fence, "the lease was never taken");
        if (row.Token != fence.Token) throw new FencedOutException(fence, $"the lease has passed to token {row.Token}");
        if (row.Holder.Length == 0) throw new FencedOutException(fence, "the lease was released");
        if (row.ExpiresAtMs <= nowMs) throw new FencedOutException(fence, "the lease has expired");
    }

    /// <summary>
    /// Voids every lease left by an earlier process: one process owns a SQLite file, so a lease found at open
    /// belongs to a process that is gone, and the new one must not wait for it to expire. Tokens are kept, so
    /// the next take still gets a larger one.
    /// </summary>
    public static void VoidAll(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE leases SET holder = '', expires_at = 0";
        command.ExecuteNonQuery();
    }
}
