using System.Collections.Concurrent;

namespace Chas.Server.State;

/// <summary>
/// When each node was last heard from. Kept in memory, not in the store: a heartbeat every 2 s per
/// node would otherwise be a write and a watch event each, for nothing anyone needs to keep. Only
/// the ready/notready transitions it causes are stored. After a restart every node gets a fresh
/// grace period counted from the server's start.
/// </summary>
public sealed class NodeLiveness(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public void Seen(string node) => _lastSeen[node] = time.GetUtcNow();

    public DateTimeOffset LastSeen(string node) => _lastSeen.TryGetValue(node, out var at) ? at : _startedAt;

    public void Forget(string node) => _lastSeen.TryRemove(node, out _);
}
