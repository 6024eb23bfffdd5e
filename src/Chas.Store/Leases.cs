namespace Chas.Store;

/// <summary>
/// Named leases kept in the store's own database, so that several server processes on one database
/// agree on one holder (the leader). Every successful take of a lease by a new holder increases its
/// <see cref="LeaseRecord.Token"/>; that token is the fence a holder's writes carry (see
/// <see cref="StoreFence"/>), so a deposed holder's late write is refused by the database itself.
/// Expiry is judged by the database's clock where it has one (PostgreSQL's now()), so servers with
/// skewed clocks still agree.
/// </summary>
public interface ILeaseStore
{
    /// <summary>
    /// Takes <paramref name="name"/> for <paramref name="holder"/> when nobody holds it, its term has
    /// expired, or <paramref name="holder"/> already holds it (then its term is extended and the token kept).
    /// Returns the lease as it stands afterwards: held by <paramref name="holder"/> on success, by another otherwise.
    /// </summary>
    Task<LeaseRecord> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Extends the term of <paramref name="holder"/> under <paramref name="token"/> by <paramref name="duration"/>
    /// from now. False when that term is over (expired and taken, or released): the holder must stop acting.
    /// </summary>
    Task<bool> RenewAsync(string name, string holder, long token, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Ends the term at once (a clean shutdown), so another holder need not wait for it to expire. No-op when already lost.</summary>
    Task ReleaseAsync(string name, string holder, long token, CancellationToken cancellationToken = default);

    /// <summary>The lease as it stands, expired or not; null when it was never taken.</summary>
    Task<LeaseRecord?> GetAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>One lease: who holds it, under which fencing token, until when (the database's clock).</summary>
public sealed record LeaseRecord(string Name, string Holder, long Token, DateTimeOffset ExpiresAt);

/// <summary>The term a commit must still belong to: the lease <see cref="LeaseName"/> held under <see cref="Token"/>.</summary>
public sealed record Fence(string LeaseName, long Token);

/// <summary>
/// The fence of the code running now. A leader runs its controllers inside <see cref="Enter"/>, and every
/// <see cref="IObjectStore.CommitAsync"/> made from there (however deep, through whichever typed store)
/// checks in the same transaction that the lease is still held under that token and unexpired; when not,
/// it throws <see cref="FencedOutException"/> and writes nothing. API requests run without a fence.
/// Ambient rather than a parameter so that the typed stores shared by the API and the controllers need
/// no second set of methods.
/// </summary>
public static class StoreFence
{
    private static readonly AsyncLocal<Fence?> CurrentFence = new();

    public static Fence? Current => CurrentFence.Value;

    /// <summary>Sets the fence for the calling flow (and the tasks it starts) until the returned scope is disposed.</summary>
    public static IDisposable Enter(Fence fence)
    {
        ArgumentNullException.ThrowIfNull(fence);
        var previous = CurrentFence.Value;
        CurrentFence.Value = fence;
        return new Scope(previous);
    }

    private sealed class Scope(Fence? previous) : IDisposable
    {
        public void Dispose() => CurrentFence.Value = previous;
    }
}

/// <summary>A fenced commit was refused: its lease has passed to another holder or expired. Nothing was written.</summary>
public sealed class FencedOutException(Fence fence, string reason)
    : Exception($"lease '{fence.LeaseName}' is no longer held under token {fence.Token}: {reason}")
{
    public Fence Fence { get; } = fence;
}

/// <summary>
/// The database behind the store cannot be reached (down, restarting, partitioned). Nothing of the
/// operation was committed, or, when the connection broke during COMMIT, the caller cannot know: the
/// API answers 503 and clients retry with the same conditional write, which either applies or conflicts.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
