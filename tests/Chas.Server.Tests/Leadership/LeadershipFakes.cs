using Chas.Server.Leadership;
using Chas.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chas.Server.Tests.Leadership;

/// <summary>The leases of one server, which a test can cut off from the database (every call then fails, as in a partition).</summary>
internal sealed class PartitionableLeases(ILeaseStore inner) : ILeaseStore
{
    private int _acquires;
    private int _renewals;

    public volatile bool CutOff;

    /// <summary>Calls made, answered or not: a test paces its fake clock by them.</summary>
    public int Acquires => Volatile.Read(ref _acquires);
    public int Renewals => Volatile.Read(ref _renewals);

    public Task<LeaseRecord> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _acquires);
        return Reachable() ?? inner.TryAcquireAsync(name, holder, duration, cancellationToken);
    }

    public Task<bool> RenewAsync(string name, string holder, long token, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _renewals);
        return Reachable<bool>() ?? inner.RenewAsync(name, holder, token, duration, cancellationToken);
    }

    public Task ReleaseAsync(string name, string holder, long token, CancellationToken cancellationToken = default) =>
        CutOff ? Task.FromException(Unavailable()) : inner.ReleaseAsync(name, holder, token, cancellationToken);

    public Task<LeaseRecord?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        CutOff ? Task.FromException<LeaseRecord?>(Unavailable()) : inner.GetAsync(name, cancellationToken);

    private Task<T>? Reachable<T>() => CutOff ? Task.FromException<T>(Unavailable()) : null;

    private Task<LeaseRecord>? Reachable() => Reachable<LeaseRecord>();

    private static StoreUnavailableException Unavailable() => new("cut off from the database (test)");
}

/// <summary>
/// A leader-only service that records its terms and, when asked, commits one object from inside its current term —
/// after <see cref="Gate"/> opens, ignoring the end of the term meanwhile, as a write already under way would.
/// </summary>
internal sealed class RecordingLeaderService(LeaderElection election, IObjectStore store) : LeaderOnlyService(election)
{
    private int _running;

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public string? WriteKey { get; set; }
    public List<Fence?> Terms { get; } = [];
    public Exception? WriteFailure { get; private set; }
    public bool Running => Volatile.Read(ref _running) == 1;

    protected override ILogger Logger => NullLogger.Instance;

    protected override async Task RunAsLeaderAsync(CancellationToken stoppingToken)
    {
        lock (Terms) Terms.Add(StoreFence.Current);
        Volatile.Write(ref _running, 1);
        try
        {
            if (WriteKey is { } key)
            {
                await Gate.Task;
                try
                {
                    await store.CommitAsync([WriteOp.Create("test", key, "{}")], CancellationToken.None);
                }
                catch (Exception ex)
                {
                    WriteFailure = ex;
                    throw;
                }
            }
            await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}

/// <summary>Leases that another (imaginary) server holds while <see cref="HeldElsewhere"/> is set; the real ones after.</summary>
internal sealed class HeldElsewhereLeases(ILeaseStore inner) : ILeaseStore
{
    public const string OtherServer = "other-server";

    public volatile bool HeldElsewhere = true;

    public Task<LeaseRecord> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken = default) =>
        HeldElsewhere
            ? Task.FromResult(new LeaseRecord(name, OtherServer, 1, DateTimeOffset.MaxValue))
            : inner.TryAcquireAsync(name, holder, duration, cancellationToken);

    public Task<bool> RenewAsync(string name, string holder, long token, TimeSpan duration, CancellationToken cancellationToken = default) =>
        HeldElsewhere ? Task.FromResult(false) : inner.RenewAsync(name, holder, token, duration, cancellationToken);

    public Task ReleaseAsync(string name, string holder, long token, CancellationToken cancellationToken = default) =>
        inner.ReleaseAsync(name, holder, token, cancellationToken);

    public Task<LeaseRecord?> GetAsync(string name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);
}

/// <summary>
/// One server's view of a shared fake clock that counts the waits it arms of <paramref name="pace"/> (the renew
/// interval): each election arms exactly one after acting on a tick, so a test advances the clock again only
/// once every server is back waiting, and the order of events is the one real time would give.
/// </summary>
internal sealed class PacedTime(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, TimeSpan pace) : TimeProvider
{
    private int _paced;

    public int PacedWaits => Volatile.Read(ref _paced);

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();
    public override long GetTimestamp() => clock.GetTimestamp();
    public override long TimestampFrequency => clock.TimestampFrequency;
    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = clock.CreateTimer(callback, state, dueTime, period);
        // Counted once armed: a test that sees the count may advance the clock at once.
        if (dueTime == pace) Interlocked.Increment(ref _paced);
        return timer;
    }
}
