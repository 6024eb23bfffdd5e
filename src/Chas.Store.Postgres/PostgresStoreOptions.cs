namespace Chas.Store.Postgres;

/// <summary>Where and how <see cref="PostgresObjectStore"/> keeps its data.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>
    /// The database: Npgsql's key=value form (<c>Host=db;Port=5432;Database=chas;Username=chas;Password=…</c>)
    /// or a URI (<c>postgres://user:pass@host:port/db?sslmode=require</c>), see <see cref="PostgresConnectionString"/>.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>How many recent changes a watch can replay before it must re-list.</summary>
    public int HistorySize { get; init; } = WatchHub.DefaultHistorySize;

    /// <summary>Kinds written often and watched rarely (logs), whose changes get a history of their own of the same size.</summary>
    public IReadOnlySet<string>? SeparateHistoryKinds { get; init; }

    /// <summary>How many changes may wait for one watcher before it is dropped.</summary>
    public int WatchBufferSize { get; init; } = WatchHub.DefaultSubscriberBufferSize;

    /// <summary>
    /// True loads the last <see cref="HistorySize"/> changes from the database at open, so that a watch
    /// (an agent, an informer) can resume from a revision older than this server's start, as long as
    /// the shared history still reaches back to it.
    /// </summary>
    public bool ReplayHistoryAtOpen { get; init; } = true;

    /// <summary>
    /// How many change rows the database keeps (at least <see cref="HistorySize"/>); older ones are trimmed
    /// now and then. Null: ten times <see cref="HistorySize"/>, so that a server that was down a while can
    /// still resume its watches.
    /// </summary>
    public int? ChangesToKeep { get; init; }

    /// <summary>How often each server deletes change rows beyond <see cref="ChangesToKeep"/>.</summary>
    public TimeSpan TrimInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the change feed reads the changes table even without a notification: the safety net for
    /// a notification lost with a broken connection.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a commit waits for its own change to reach this server's watch hub before returning anyway.</summary>
    public TimeSpan ReadOwnWritesTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of the feed's waits (poll interval, reconnect backoff).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    internal int EffectiveChangesToKeep => Math.Max(HistorySize, ChangesToKeep ?? checked(HistorySize * 10));
}
