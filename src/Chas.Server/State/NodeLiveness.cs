using System.Collections.Concurrent;
using Chas.Server.Hosting;
using Chas.Store;

namespace Chas.Server.State;

/// <summary>
/// When each node was last heard from. Kept in memory, not in the store: a heartbeat every 2 s per
/// node would otherwise be a write and a watch event each, for nothing anyone needs to keep. Only
/// the ready/notready transitions it causes are stored. After a restart every node gets a fresh
/// grace period counted from the server's start.
/// <para>
/// With several servers on one database an agent heartbeats to whichever server it uses, which need not be the
/// leader that judges silence. So each server also counts the heartbeats it receives in the shared counters, at most
/// one add per node and window of a quarter of the heartbeat timeout, and the leader asks them before it calls a
/// node silent (<see cref="RefreshAsync"/>). A single server's counters live in its own memory: there the local
/// view is the whole truth and the counters are left alone.
/// </para>
/// </summary>
public sealed class NodeLiveness(TimeProvider time, ServerOptions? options = null, ISharedCounters? counters = null)
{
    private const string KeyPrefix = "node-heartbeat:";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _windowCounted = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private readonly ISharedCounters? _shared = counters is null or InMemorySharedCounters ? null : counters;
    private readonly TimeSpan _timeout = options?.HeartbeatTimeout ?? TimeSpan.FromSeconds(6);

    private TimeSpan Window => _timeout / 4;

    // A window's row outlives the window by a whole timeout: the leader reads windows that ended up to a timeout ago.
    private TimeSpan Retention => Window + _timeout;

    public void Seen(string node) => _lastSeen[node] = time.GetUtcNow();

    /// <summary>A heartbeat reached this server: noted here and, once per window, in the shared counters for the leader.</summary>
    public async Task HeartbeatAsync(string node, CancellationToken ct)
    {
        Seen(node);
        if (_shared is null) return;
        var window = WindowStart(time.GetUtcNow());
        if (_windowCounted.TryGetValue(node, out var counted) && counted == window) return;
        try
        {
            await _shared.AddAsync(KeyPrefix + node, window, Retention, 1, ct);
            _windowCounted[node] = window;
        }
        catch (StoreUnavailableException)
        {
            // The database is away: the leader cannot act on silence either, and its new term grants every node a grace period.
        }
    }

    public DateTimeOffset LastSeen(string node) => _lastSeen.TryGetValue(node, out var at) ? at : _startedAt;

    /// <summary>
    /// For a node this server has not heard from within the timeout: whether another server has, by the shared counters.
    /// A heartbeat counted in a window is taken as seen at the window's end (never later than now), so a node is called
    /// silent only when no window that ended within the timeout counted one: after between one timeout and a quarter more.
    /// </summary>
    public async Task RefreshAsync(string node, CancellationToken ct)
    {
        if (_shared is null) return;
        var now = time.GetUtcNow();
        for (var start = WindowStart(now); start + Window > now - _timeout; start -= Window)
        {
            if (await _shared.AddAsync(KeyPrefix + node, start, Retention, 0, ct) <= 0) continue;
            var seen = start + Window < now ? start + Window : now;
            _lastSeen.AddOrUpdate(node, seen, (_, local) => local > seen ? local : seen);
            return;
        }
    }

    public void Forget(string node)
    {
        _lastSeen.TryRemove(node, out _);
        _windowCounted.TryRemove(node, out _);
    }

    private DateTimeOffset WindowStart(DateTimeOffset now) => new(now.UtcTicks - now.UtcTicks % Window.Ticks, TimeSpan.Zero);
}
