using System.Net.Sockets;
using Npgsql;

namespace Chas.Store.Postgres;

/// <summary>
/// Tells a database that cannot be reached (down, restarting, partitioned, out of connections) from a
/// statement that is wrong, so that the first becomes <see cref="StoreUnavailableException"/> (the API's
/// 503, retried by clients) and the second stays the bug it is.
/// </summary>
internal static class PostgresErrors
{
    /// <summary>True when <paramref name="exception"/> says the database could not be reached or went away.</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => IsUnavailableState(postgres.SqlState) || postgres.IsTransient,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        SocketException or TimeoutException or IOException => true,
        // Npgsql throws this when a pooled connection was broken under it.
        InvalidOperationException { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };

    /// <summary>The exception to throw instead of <paramref name="exception"/>; itself when it is not about reaching the database.</summary>
    public static Exception Translate(Exception exception, string operation) =>
        IsUnavailable(exception)
            ? new StoreUnavailableException($"the PostgreSQL database is unavailable ({operation}): {exception.Message}", exception)
            : exception;

    // 08: connection exceptions; 57P01-57P03: admin/crash shutdown, cannot connect now;
    // 53300: too many connections; 40001/40P01: serialization failure and deadlock (nothing was written).
    private static bool IsUnavailableState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is "57P01" or "57P02" or "57P03" or "53300" or "40001" or "40P01";
}
