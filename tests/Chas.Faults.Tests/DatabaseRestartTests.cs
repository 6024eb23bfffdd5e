using System.Collections.Concurrent;
using System.Net;
using Chas.Client;

namespace Chas.Faults.Tests;

/// <summary>PostgreSQL stopped and started again, then crashed and started again, while clients keep writing.</summary>
public sealed class DatabaseRestartTests(ITestOutputHelper output) : FaultTest(output)
{
    private const int WritersPerServer = 2;

    [Fact]
    public async Task Writes_during_a_database_outage_get_503_none_acknowledged_is_lost_and_the_api_comes_back()
    {
        var cluster = await StartClusterAsync(agents: 0);
        var pids = cluster.Servers.Select(s => s.Pid).ToList();
        var clients = cluster.Servers.Select(s => new ChasClient(s.Url, cluster.AdminToken)).ToList();
        var load = new WriteLoad(clients);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, clients.Count * WritersPerServer).Select(w => Task.Run(() => load.RunAsync(w % clients.Count, stop.Token))).ToList();
        try
        {
            await Eventually.UntilAsync(() => load.Acknowledged.Count >= 30, TimeSpan.FromSeconds(30), "30 writes acknowledged before the outage");

            // A clean stop (clients are disconnected), then a crash (no checkpoint, recovery from the WAL).
            foreach (var (fault, breakDatabase) in new (string, Func<Task>)[]
            {
                ("PostgreSQL stop + start", cluster.Postgres.StopAsync),
                ("PostgreSQL kill + start", cluster.Postgres.KillAsync),
            })
            {
                await breakDatabase();
                var refusedBefore = load.Unavailable;
                var refusedBy = Enumerable.Range(0, clients.Count).Select(load.UnavailableFrom).ToList();
                await Eventually.UntilAsync(() => Enumerable.Range(0, clients.Count).All(s => load.UnavailableFrom(s) >= refusedBy[s] + 2), TimeSpan.FromSeconds(30),
                    "writes during the outage to be answered 503 by every server");
                var clock = StartClock();
                await cluster.Postgres.StartAgainAsync();
                // Back means: every server acknowledges writes again.
                var mark = load.Mark();
                await Eventually.UntilAsync(() => Enumerable.Range(0, clients.Count).All(s => load.AcknowledgedSince(mark, s)), TimeSpan.FromSeconds(30),
                    "every server to acknowledge writes again after PostgreSQL is back");
                Report(fault, "writes during the outage get 503; every server acknowledges again", $"{load.Unavailable - refusedBefore} × 503", clock.Elapsed);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        foreach (var client in clients) client.Dispose();

        Assert.Empty(load.Unexpected);
        // The servers reconnected on their own: one of them leads again, the others follow it.
        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(pids, cluster.Servers.Select(s => s.Pid));
        Assert.All(cluster.Servers, s => Assert.False(s.HasExited, $"{s.Description} exited"));
        var stored = (await cluster.Client.ListTasksAsync()).Items.ToDictionary(t => t.Name, t => t.Uid, StringComparer.Ordinal);
        var lost = load.Acknowledged.Where(a => !stored.TryGetValue(a.Key, out var uid) || uid != a.Value).Select(a => a.Key).ToList();
        Assert.Empty(lost);
        Report("PostgreSQL restarts", $"{load.Acknowledged.Count} acknowledged creates exist; no 500; servers not restarted", "0 lost", TimeSpan.Zero);
    }

    /// <summary>Writers creating pending tasks one after another, each through one server, sorting every answer.</summary>
    private sealed class WriteLoad(IReadOnlyList<ChasClient> clients)
    {
        private int _next = -1;
        private int _unavailable;
        private long _sequence;
        private readonly ConcurrentDictionary<int, long> _lastAcknowledgedBy = new();
        private readonly ConcurrentDictionary<int, int> _unavailableFrom = new();

        public ConcurrentDictionary<string, string> Acknowledged { get; } = new(StringComparer.Ordinal);
        public ConcurrentQueue<string> Unexpected { get; } = new();
        public int Unavailable => Volatile.Read(ref _unavailable);

        public int UnavailableFrom(int server) => _unavailableFrom.GetValueOrDefault(server);

        public long Mark() => Interlocked.Increment(ref _sequence);

        public bool AcknowledgedSince(long mark, int server) => _lastAcknowledgedBy.TryGetValue(server, out var last) && last > mark;

        public async Task RunAsync(int server, CancellationToken ct)
        {
            while (!ct.IsCancellationRequested)
            {
                var name = $"load-{Interlocked.Increment(ref _next):D5}";
                try
                {
                    var created = await clients[server].CreateTaskAsync(FaultTest.PendingTaskRequest(name), ct);
                    Acknowledged[name] = created.Uid;
                    _lastAcknowledgedBy[server] = Interlocked.Increment(ref _sequence);
                    // Steady churn rather than a flood: the point is the outage, not the machine's limits.
                    await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
                }
                catch (ChasApiException ex) when (ex.Status == HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref _unavailable);
                    _unavailableFrom.AddOrUpdate(server, 1, (_, n) => n + 1);
                    // What a client does with Retry-After: wait a moment before the next write.
                    await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is ChasApiException or HttpRequestException or TaskCanceledException)
                {
                    // A 500, a dropped connection or a hang: the server must answer 503 while the database is away.
                    Unexpected.Enqueue($"{name} via server {server + 1}: {ex.GetType().Name}: {ex.Message}");
                    await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                }
            }
        }
    }
}
