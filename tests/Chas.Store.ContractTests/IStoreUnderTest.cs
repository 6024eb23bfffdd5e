namespace Chas.Store.ContractTests;

/// <summary>
/// One store of the engine being tested, on storage of its own (a temporary file, a fresh database)
/// that disposing the store removes again.
/// </summary>
public interface IStoreUnderTest : IAsyncDisposable
{
    /// <summary>The open store; a new instance after <see cref="ReopenAsync"/>.</summary>
    IObjectStore Store { get; }

    /// <summary>How many watches the store is serving now, so that a test can see a watch unregister.</summary>
    int OpenWatchCount { get; }

    /// <summary>Closes the store and opens the same storage again, as a server restart would.</summary>
    Task ReopenAsync();

    /// <summary>
    /// Lets <paramref name="span"/> pass on the clock the store judges lease expiry by. An engine on a clock the
    /// test controls (SQLite's TimeProvider) advances it; the default, for engines on the database's own clock
    /// (PostgreSQL's now()), waits it out, so the lease tests keep their spans short (a few hundred milliseconds).
    /// </summary>
    Task LetTimePassAsync(TimeSpan span) => Task.Delay(span);
}

/// <summary>How a test wants its store set up. Null means the engine's default.</summary>
public sealed record StoreContractSettings
{
    /// <summary>How many recent changes a watch can replay before it must re-list.</summary>
    public int? HistorySize { get; init; }

    /// <summary>How many changes may wait for one watcher before it is dropped.</summary>
    public int? WatchBufferSize { get; init; }

    /// <summary>
    /// False lets the engine skip what makes a commit survive power loss (an fsync per commit): tests
    /// that make hundreds of commits to check ordering, not durability, run faster without it.
    /// </summary>
    public bool DurableCommits { get; init; } = true;
}
