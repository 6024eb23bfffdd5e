namespace Chas.Store;

/// <summary>
/// Versioned JSON objects addressed by (kind, key), with etcd-like semantics: every commit bumps one
/// global revision; an object's version is the revision of the commit that last wrote it; writes
/// are conditional on versions (optimistic concurrency); every change is observable by a watch in
/// revision order. The store knows nothing of tasks or nodes: typed layers sit above it.
/// </summary>
public interface IObjectStore : IAsyncDisposable
{
    /// <summary>The revision of the last committed change.</summary>
    long CurrentRevision { get; }

    Task<StoredObject?> GetAsync(string kind, string key, CancellationToken cancellationToken = default);

    /// <summary>All objects of a kind, read in one snapshot, with the revision of that snapshot.</summary>
    Task<StoredList> ListAsync(string kind, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies all writes atomically or none. Throws <see cref="ConflictException"/> when any
    /// <see cref="WriteOp.ExpectedVersion"/> does not hold. Returns the new revision.
    /// </summary>
    Task<long> CommitAsync(IReadOnlyList<WriteOp> writes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes of the given kinds (null: all) with revision greater than <paramref name="sinceRevision"/>,
    /// first the buffered past ones, then live ones, until cancelled. Throws
    /// <see cref="RevisionTooOldException"/> when the history no longer reaches back that far.
    /// A consumer that falls too far behind has its stream ended with <see cref="WatchOverflowException"/>.
    /// </summary>
    IAsyncEnumerable<ChangeEvent> WatchAsync(IReadOnlySet<string>? kinds, long sinceRevision, CancellationToken cancellationToken = default);
}

public sealed record StoredObject(string Kind, string Key, long Version, string Json);

public sealed record StoredList(IReadOnlyList<StoredObject> Items, long Revision);

/// <summary>
/// One write of a commit. <see cref="ExpectedVersion"/>: <see cref="MustNotExist"/> to create,
/// a version to update or delete only that version, <see cref="AnyVersion"/> for unconditional.
/// <see cref="Json"/> null deletes.
/// </summary>
public sealed record WriteOp(string Kind, string Key, long ExpectedVersion, string? Json)
{
    public const long MustNotExist = 0;
    public const long AnyVersion = -1;

    public static WriteOp Create(string kind, string key, string json) => new(kind, key, MustNotExist, json);
    public static WriteOp Update(string kind, string key, long expectedVersion, string json) => new(kind, key, expectedVersion, json);
    public static WriteOp Delete(string kind, string key, long expectedVersion = AnyVersion) => new(kind, key, expectedVersion, null);
}

public enum ChangeType { Added, Modified, Deleted }

/// <summary>A committed change. For deletes, <see cref="Json"/> is the object's last state.</summary>
public sealed record ChangeEvent(long Revision, ChangeType Type, string Kind, string Key, string Json);

/// <summary>A conditional write did not hold: the object is missing, exists, or has another version.</summary>
public sealed class ConflictException : Exception
{
    public ConflictException(string kind, string key, long expectedVersion, long? actualVersion)
        : base(Describe(kind, key, expectedVersion, actualVersion))
    {
        Kind = kind;
        Key = key;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    public string Kind { get; }
    public string Key { get; }
    public long ExpectedVersion { get; }
    /// <summary>Null when the object does not exist.</summary>
    public long? ActualVersion { get; }

    private static string Describe(string kind, string key, long expected, long? actual) =>
        (expected, actual) switch
        {
            (WriteOp.MustNotExist, not null) => $"{kind} '{key}' already exists",
            (_, null) => $"{kind} '{key}' does not exist",
            _ => $"{kind} '{key}' was modified (version {actual}, expected {expected})",
        };
}

/// <summary>The watch history no longer reaches back to the requested revision: list again.</summary>
public sealed class RevisionTooOldException(long requested, long oldest)
    : Exception($"revision {requested} is too old; the oldest available is {oldest}")
{
    public long Requested { get; } = requested;
    public long Oldest { get; } = oldest;
}

/// <summary>A watcher could not keep up and was dropped; it should resume from its last revision.</summary>
public sealed class WatchOverflowException() : Exception("watch consumer fell too far behind");
