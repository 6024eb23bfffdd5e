using Microsoft.Extensions.Logging;

namespace Chas.Store.Sqlite;

/// <summary>The SQLite store's log messages, with stable event ids (10xx: store; 11xx is the watch hub's).</summary>
internal static partial class SqliteStoreLog
{
    [LoggerMessage(1001, LogLevel.Information, "Opened object store {Path} at revision {Revision}")]
    public static partial void StoreOpened(ILogger logger, string path, long revision);

    [LoggerMessage(1002, LogLevel.Information, "Applied store schema migration {Version}: {Description}")]
    public static partial void MigrationApplied(ILogger logger, int version, string description);

    [LoggerMessage(1003, LogLevel.Warning, "SQLite journal mode is {Mode}, not WAL: readers and the writer will block each other")]
    public static partial void NotWal(ILogger logger, string mode);

    [LoggerMessage(1004, LogLevel.Information, "Closed object store {Path} at revision {Revision}")]
    public static partial void StoreClosed(ILogger logger, string path, long revision);
}
