using System.Collections.Concurrent;

namespace Chas.Store;

/// <summary>
/// Fixed-window counters shared by every server on one database (sign-in attempts, API rate limits), so
/// that a limit holds across servers instead of multiplying by their number. Not part of the watched
/// object space: counting must not create revisions.
/// </summary>
public interface ISharedCounters
{
    /// <summary>
    /// Adds <paramref name="amount"/> to the counter of <paramref name="key"/> for the window that starts at
    /// <paramref name="windowStart"/> and lasts <paramref name="window"/>; returns the window's new total.
    /// Windows that have ended may be forgotten.
    /// </summary>
    Task<long> AddAsync(string key, DateTimeOffset windowStart, TimeSpan window, long amount = 1, CancellationToken cancellationToken = default);
}

/// <summary>Counters of one process: right for a single server (the SQLite store), and for unit tests.</summary>
public sealed class InMemorySharedCounters(TimeProvider time) : ISharedCounters
{
    private readonly ConcurrentDictionary<(string Key, DateTimeOffset Start), Window> _windows = new();
    private long _adds;

    public InMemorySharedCounters() : this(TimeProvider.System) { }

    public Task<long> AddAsync(string key, DateTimeOffset windowStart, TimeSpan window, long amount = 1,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var entry = _windows.GetOrAdd((key, windowStart), _ => new Window(windowStart + window));
        var total = Interlocked.Add(ref entry.Count, amount);
        if (Interlocked.Increment(ref _adds) % 1024 == 0) ForgetEnded();
        return Task.FromResult(total);
    }

    private void ForgetEnded()
    {
        var now = time.GetUtcNow();
        foreach (var (id, entry) in _windows)
        {
            if (entry.End < now) _windows.TryRemove(id, out _);
        }
    }

    private sealed class Window(DateTimeOffset end)
    {
        public readonly DateTimeOffset End = end;
        public long Count;
    }
}
