using Microsoft.Extensions.Logging;

namespace Chas.Store;

/// <summary>
/// The engine-neutral store's log messages, with stable event ids (11xx: watch). The 10xx ids belong
/// to the store engines (SqliteStoreLog), so that an id keeps its meaning whichever engine logs it.
/// </summary>
internal static partial class StoreLog
{
    [LoggerMessage(1101, LogLevel.Warning, "Dropped {Count} watcher(s) that fell behind at revision {Revision}")]
    public static partial void WatchersDropped(ILogger logger, int count, long revision);
}
