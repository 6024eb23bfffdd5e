namespace Chas.Store;

/// <summary>
/// The rules of <see cref="IObjectStore.CommitAsync"/> that hold whatever database is behind the
/// store, written once so that every engine refuses the same commits with the same exceptions.
/// </summary>
public static class CommitChecks
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> for a commit no engine may try: no writes, a write without
    /// a kind or key, an invalid expected version, a delete that requires absence, one object written twice.
    /// Engines call it before touching their database.
    /// </summary>
    public static void EnsureWellFormed(IReadOnlyList<WriteOp> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            throw new ArgumentException("a commit needs at least one write", nameof(writes));
        }

        var targets = new HashSet<(string Kind, string Key)>();
        foreach (var write in writes)
        {
            ArgumentNullException.ThrowIfNull(write, nameof(writes));
            if (string.IsNullOrEmpty(write.Kind) || string.IsNullOrEmpty(write.Key))
            {
                throw new ArgumentException("every write needs a kind and a key", nameof(writes));
            }
            if (write.ExpectedVersion < WriteOp.AnyVersion)
            {
                throw new ArgumentException($"{write.Kind} '{write.Key}': expected version {write.ExpectedVersion} is invalid", nameof(writes));
            }
            if (write.Json is null && write.ExpectedVersion == WriteOp.MustNotExist)
            {
                throw new ArgumentException($"{write.Kind} '{write.Key}': a delete cannot require the object to be absent", nameof(writes));
            }
            // Two writes to one object would make its resulting version and events ambiguous.
            if (!targets.Add((write.Kind, write.Key)))
            {
                throw new ArgumentException($"{write.Kind} '{write.Key}' is written twice in one commit", nameof(writes));
            }
        }
    }

    /// <summary>
    /// Throws <see cref="ConflictException"/> when <paramref name="write"/>'s expected version does not
    /// hold against the object's current version (<paramref name="actualVersion"/>, null: it does not exist).
    /// </summary>
    public static void EnsureExpectedVersionHolds(WriteOp write, long? actualVersion)
    {
        ArgumentNullException.ThrowIfNull(write);
        var holds = write.ExpectedVersion switch
        {
            WriteOp.MustNotExist => actualVersion is null,
            // Unconditional writes always hold, except a delete of nothing: there is nothing to delete.
            WriteOp.AnyVersion => write.Json is not null || actualVersion is not null,
            var expected => actualVersion == expected,
        };
        if (!holds)
        {
            throw new ConflictException(write.Kind, write.Key, write.ExpectedVersion, actualVersion);
        }
    }
}
