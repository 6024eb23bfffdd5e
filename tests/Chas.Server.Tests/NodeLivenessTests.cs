using Chas.Server.Hosting;
using Chas.Server.State;
using Chas.Store;
using Microsoft.Extensions.Time.Testing;

namespace Chas.Server.Tests;

/// <summary>
/// Several servers on one database: an agent heartbeats to one of them, the leader that judges silence may be
/// another. What the first hears must reach the second through the shared counters.
/// </summary>
public sealed class NodeLivenessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Heartbeats_to_another_server_keep_a_node_alive_for_the_leader_and_their_end_is_seen_within_a_quarter_more_than_the_timeout()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var database = new OneDatabaseCounters();
        var options = new ServerOptions { DataDir = "/nonexistent", HeartbeatTimeout = Timeout };
        var follower = new NodeLiveness(time, options, database);
        var leader = new NodeLiveness(time, options, database);

        // Twenty seconds of heartbeats, all to the follower; the leader checks as its monitor does.
        for (var step = 0; step < 40; step++)
        {
            await follower.HeartbeatAsync("n1", CancellationToken.None);
            time.Advance(Interval);
            if (time.GetUtcNow() - leader.LastSeen("n1") >= Timeout) await leader.RefreshAsync("n1", CancellationToken.None);
            Assert.True(time.GetUtcNow() - leader.LastSeen("n1") < Timeout, $"the leader calls n1 silent after {step + 1} heartbeats to the follower");
        }
        // At most one add per window, not one per heartbeat.
        Assert.InRange(database.Adds, 1, 20 / (Timeout.TotalSeconds / 4) + 1);

        // The heartbeats stop: silent by the timeout plus a window, not before the timeout.
        var lastHeartbeat = time.GetUtcNow() - Interval;
        var calledSilentAt = (DateTimeOffset?)null;
        while (calledSilentAt is null)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await leader.RefreshAsync("n1", CancellationToken.None);
            if (time.GetUtcNow() - leader.LastSeen("n1") >= Timeout) calledSilentAt = time.GetUtcNow();
        }
        Assert.InRange(calledSilentAt.Value - lastHeartbeat, Timeout, Timeout * 1.25 + TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_single_servers_counters_in_memory_are_left_alone()
    {
        var time = new FakeTimeProvider();
        var counters = new InMemorySharedCounters(time);
        var liveness = new NodeLiveness(time, new ServerOptions { DataDir = "/nonexistent", HeartbeatTimeout = Timeout }, counters);
        await liveness.HeartbeatAsync("n1", CancellationToken.None);
        time.Advance(Timeout * 2);
        await liveness.RefreshAsync("n1", CancellationToken.None);
        Assert.Equal(0, await counters.AddAsync("node-heartbeat:n1", FixedStart(time.GetUtcNow() - Timeout * 2), Timeout / 4 + Timeout, 0));
        Assert.Equal(Timeout * 2, time.GetUtcNow() - liveness.LastSeen("n1"));
    }

    private static DateTimeOffset FixedStart(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % (Timeout / 4).Ticks, TimeSpan.Zero);

    /// <summary>Counters every server of one database shares (not the single-process kind the liveness leaves alone).</summary>
    private sealed class OneDatabaseCounters : ISharedCounters
    {
        private readonly InMemorySharedCounters _inner = new();

        public int Adds { get; private set; }

        public Task<long> AddAsync(string key, DateTimeOffset windowStart, TimeSpan window, long amount = 1, CancellationToken cancellationToken = default)
        {
            if (amount != 0) Adds++;
            return _inner.AddAsync(key, windowStart, window, amount, cancellationToken);
        }
    }
}
