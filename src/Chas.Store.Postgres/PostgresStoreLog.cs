using Microsoft.Extensions.Logging;

namespace Chas.Store.Postgres;

/// <summary>
/// The PostgreSQL store's log messages, with stable event ids (12xx: the PostgreSQL engine; 10xx is
/// SQLite's, 11xx the watch hub's).
/// </summary>
internal static partial class PostgresStoreLog
{
    [LoggerMessage(1201, LogLevel.Information, "Opened object store on PostgreSQL {Database} at revision {Revision} (history from revision {Floor})")]
    public static partial void StoreOpened(ILogger logger, string database, long revision, long floor);

    [LoggerMessage(1202, LogLevel.Information, "Applied store schema migration {Version}: {Description}")]
    public static partial void MigrationApplied(ILogger logger, int version, string description);

    [LoggerMessage(1203, LogLevel.Information, "Closed object store on PostgreSQL {Database} at revision {Revision}")]
    public static partial void StoreClosed(ILogger logger, string database, long revision);

    [LoggerMessage(1204, LogLevel.Warning, "The change feed lost its database connection; retrying in {Delay} from revision {Revision}")]
    public static partial void FeedConnectionLost(ILogger logger, TimeSpan delay, long revision, Exception exception);

    [LoggerMessage(1205, LogLevel.Information, "The change feed is listening again from revision {Revision}")]
    public static partial void FeedListening(ILogger logger, long revision);

    [LoggerMessage(1206, LogLevel.Warning, "The change feed could not read changes after revision {Revision}")]
    public static partial void FeedReadFailed(ILogger logger, long revision, Exception exception);

    [LoggerMessage(1207, LogLevel.Error, "The changes table skips from revision {Last} to {Next}: rows were trimmed before this server read them; its watchers must re-list")]
    public static partial void FeedGap(ILogger logger, long last, long next);

    [LoggerMessage(1208, LogLevel.Warning, "Revision {Revision} was committed but had not reached this server's watch hub after {Timeout}")]
    public static partial void OwnWriteNotSeen(ILogger logger, long revision, TimeSpan timeout);

    [LoggerMessage(1209, LogLevel.Debug, "Trimmed {Count} change rows")]
    public static partial void ChangesTrimmed(ILogger logger, int count);

    [LoggerMessage(1210, LogLevel.Warning, "Could not trim old rows")]
    public static partial void TrimFailed(ILogger logger, Exception exception);
}
