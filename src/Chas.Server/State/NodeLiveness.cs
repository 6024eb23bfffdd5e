using System.Collections.Concurrent;
using Chas.Server.Hosting;
using Chas.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Server.State;

/// <summary>
/// When each node was last heard from. Kept in memory, not in the store: a heartbeat every 2 s per
/// node would otherwise be a write and a watch event each, for nothing anyone needs to keep. Only
/// the ready/notready transitions it causes are stored. After a restart every node gets a fresh
/// grace period counted from the server's start.
/// With several servers on one database (PostgreSQL) an agent's heartbeats reach whichever server it
/// uses, not necessarily the leader that judges liveness: each heartbeat then also renews the node's
/// lease in the database (a row of the lease table, as Kubernetes' node leases; no revision, no watch
/// event), and the leader reads it before it calls a node silent.
/// </summary>
public sealed class NodeLiveness
{
    private const string LeasePrefix = "node-heartbeat/";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startedAt;
    private readonly ILeaseStore? _shared;
    private readonly TimeSpan _leaseDuration;

    public NodeLiveness(TimeProvider time) : this(time, shared: null, leaseDuration: TimeSpan.Zero) { }

    [ActivatorUtilitiesConstructor]
    public NodeLiveness(TimeProvider time, ServerOptions options, IServiceProvider services)
        : this(time, options.UsesPostgres ? services.GetService<ILeaseStore>() : null, options.HeartbeatTimeout) { }

    private NodeLiveness(TimeProvider time, ILeaseStore? shared, TimeSpan leaseDuration)
    {
        _time = time;
        _startedAt = time.GetUtcNow();
        _shared = shared;
        _leaseDuration = leaseDuration;
    }

    public void Seen(string node) => _lastSeen[node] = _time.GetUtcNow();

    /// <summary><see cref="Seen"/>, and with several servers the node's lease in the database too.</summary>
    public async Task SeenAsync(string node, CancellationToken ct)
    {
        Seen(node);
        if (_shared is not null) await _shared.TryAcquireAsync(LeasePrefix + node, node, _leaseDuration, ct);
    }

    /// <summary>What this server heard itself (the API's view).</summary>
    public DateTimeOffset LastSeen(string node) => _lastSeen.TryGetValue(node, out var at) ? at : _startedAt;

    /// <summary>
    /// The latest of what this server heard and what any server recorded in the database: the judgement of the
    /// leader. The database's time is its own clock's (lease expiry less its duration); servers are assumed to
    /// keep their clocks in step (NTP), as JWT lifetimes already require.
    /// </summary>
    public async Task<DateTimeOffset> LastSeenAnywhereAsync(string node, CancellationToken ct)
    {
        var local = LastSeen(node);
        if (_shared is null || await _shared.GetAsync(LeasePrefix + node, ct) is not { } lease) return local;
        var shared = lease.ExpiresAt - _leaseDuration;
        return shared > local ? shared : local;
    }

    public void Forget(string node) => _lastSeen.TryRemove(node, out _);
}
