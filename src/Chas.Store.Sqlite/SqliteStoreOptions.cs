namespace Chas.Store.Sqlite;

/// <summary>Where and how <see cref="SqliteObjectStore"/> keeps its data.</summary>
public sealed record SqliteStoreOptions
{
    /// <summary>The database file; its directory is created when missing.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>How many recent changes a watch can replay before it must re-list.</summary>
    public int HistorySize { get; init; } = WatchHub.DefaultHistorySize;

    /// <summary>Kinds written often and watched rarely (logs), whose changes get a history of their own of the same size.</summary>
    public IReadOnlySet<string>? SeparateHistoryKinds { get; init; }

    /// <summary>How many changes may wait for one watcher before it is dropped.</summary>
    public int WatchBufferSize { get; init; } = WatchHub.DefaultSubscriberBufferSize;

    /// <summary>
    /// FULL survives power loss at the cost of an fsync per commit; NORMAL (false) may lose the last
    /// commits on power loss but never corrupts the database.
    /// </summary>
    public bool SynchronousFull { get; init; } = true;

    /// <summary>How long a statement waits for a lock held by another connection.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock that lease expiry is judged by (SQLite has no clock of its own that tests could advance).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
