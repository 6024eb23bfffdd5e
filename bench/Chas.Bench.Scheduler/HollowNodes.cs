using System.Diagnostics;
using System.Net;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Bench.Scheduler;

/// <summary>One fake node: its name, and what ends it (a kill stops its heartbeats and, in node-loss, its agent).</summary>
internal sealed class HollowNode(string name)
{
    public string Name { get; } = name;
    public CancellationTokenSource Life { get; } = new();
    /// <summary>Stopwatch timestamp at which the last acknowledged heartbeat was sent (0: none yet).</summary>
    public long LastHeartbeatSent;
    public long LastAck;
    public double MaxAckGapSeconds;
    /// <summary>The node's own credential, bought with the join token at registration (as `chas agent` does).</summary>
    public string Credential { get; set; } = "";
    /// <summary>Speaks as this node (its credential), over the connections all hollow nodes share.</summary>
    public ChasClient? Client { get; set; }
}

/// <summary>Lends one shared handler to many clients: disposing a client must not close the others' connections.</summary>
internal sealed class SharedHandler(HttpMessageHandler shared) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _invoker = new(shared, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _invoker.SendAsync(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _invoker.Dispose(); // leaves the shared handler open: its owner disposes it, once
        base.Dispose(disposing);
    }
}

/// <summary>
/// Hollow nodes: N fake agents inside this process that join the real server as `chas agent` does (the join token
/// buys each node its own credential, and the node speaks with that alone), register, and send heartbeats every
/// 2 s, spread evenly over the interval, over one bounded pool of connections (as N real agents would send them,
/// minus the N TCP connections). They run no containers. Speaking as nodes matters to the measurement: the server
/// treats its agents' calls differently from a user's (no audit record per heartbeat, node-scoped access).
/// </summary>
internal sealed class HollowNodes : IAsyncDisposable
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);
    public static readonly ResourceAmounts Capacity = new() { CpuMillis = 8000, MemoryBytes = 32L << 30 };
    private const int MaxConnections = 64;
    private const int RegisterParallelism = 32;

    private readonly Uri _server;
    private readonly SocketsHttpHandler _connections;
    private readonly ChasClient _joiner;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly List<double> _latencies = [];
    private readonly TaskCompletionSource _allReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _ready, _failures;

    /// <param name="joinToken">The cluster's join token (the server's node-token file), as an agent is given it.</param>
    public HollowNodes(Uri server, string joinToken, int count)
    {
        _server = server;
        _connections = new SocketsHttpHandler { MaxConnectionsPerServer = MaxConnections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        _joiner = new ChasClient(server, joinToken, new SharedHandler(_connections));
        Nodes = [.. Enumerable.Range(0, count).Select(i => new HollowNode($"hollow-{i:D5}"))];
    }

    public IReadOnlyList<HollowNode> Nodes { get; }

    /// <summary>Joins and registers every node, a few at a time (the server commits each registration on its own).</summary>
    public Task RegisterAllAsync(CancellationToken ct) =>
        Parallel.ForEachAsync(Nodes.Select((node, i) => (node, i)), new ParallelOptions { MaxDegreeOfParallelism = RegisterParallelism, CancellationToken = ct },
            async (item, token) =>
            {
                var from = 10_000 + item.i * 10 % 50_000; // a range of its own, as far as 50,000 ranges go
                var joined = await _joiner.JoinNodeAsync(item.node.Name, token);
                item.node.Credential = joined.Credential;
                item.node.Client = new ChasClient(_server, joined.Credential, new SharedHandler(_connections));
                await item.node.Client.RegisterNodeAsync(new RegisterNodeRequest
                {
                    Name = item.node.Name,
                    Address = "127.0.0.1",
                    AgentUrl = "http://127.0.0.1:9/", // never called: the benchmark asks for no logs
                    Labels = new Dictionary<string, string> { ["bench"] = "hollow" },
                    Capacity = Capacity,
                    PortRange = new PortRange(from, from + 9),
                    Runtime = "hollow",
                    AgentVersion = "bench",
                }, token);
            });

    /// <summary>Starts every node's heartbeat loop, node i at i/N of the interval; completes once every node is ready.</summary>
    public Task StartHeartbeatsAsync()
    {
        for (var i = 0; i < Nodes.Count; i++)
        {
            var phase = HeartbeatInterval * i / Nodes.Count;
            var node = Nodes[i];
            var life = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, node.Life.Token);
            _loops.Add(Task.Run(() => HeartbeatLoopAsync(node, phase, life.Token)));
        }
        return _allReady.Task;
    }

    /// <summary>Stops the node's heartbeats (and whatever else runs on its <see cref="HollowNode.Life"/>).</summary>
    public static void Kill(HollowNode node) => node.Life.Cancel();

    public (int Sent, int Failed, double P50Ms, double P99Ms, double MaxMs, double MaxGapSeconds) Stats()
    {
        double[] sorted;
        lock (_latencies) sorted = [.. _latencies.Order()];
        // The longest a live node went unheard: between two answered heartbeats, or since its last one.
        var now = Stopwatch.GetTimestamp();
        var maxGap = Nodes.Where(n => !n.Life.IsCancellationRequested && Volatile.Read(ref n.LastAck) != 0)
            .Select(n => Math.Max(Volatile.Read(ref n.MaxAckGapSeconds), Stopwatch.GetElapsedTime(n.LastAck, now).TotalSeconds)).DefaultIfEmpty().Max();
        return (sorted.Length, Volatile.Read(ref _failures), Percentile(sorted, 0.5), Percentile(sorted, 0.99), sorted.LastOrDefault(), maxGap);
    }

    /// <summary>Forgets the latencies so far, so that a measured phase is described by its own heartbeats.</summary>
    public void ResetStats()
    {
        lock (_latencies) _latencies.Clear();
        Interlocked.Exchange(ref _failures, 0);
        foreach (var node in Nodes) Volatile.Write(ref node.MaxAckGapSeconds, 0);
    }

    private async Task HeartbeatLoopAsync(HollowNode node, TimeSpan phase, CancellationToken ct)
    {
        try
        {
            await Task.Delay(phase, ct);
            using var timer = new PeriodicTimer(HeartbeatInterval);
            do
            {
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    var answer = await node.Client!.HeartbeatAsync(node.Name, new HeartbeatRequest(), ct);
                    Acknowledged(node, sent, answer.Status == NodeStatus.Ready);
                }
                catch (Exception ex) when (ex is HttpRequestException or ChasApiException or IOException)
                {
                    Interlocked.Increment(ref _failures);
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Killed, or the benchmark is over.
        }
    }

    private void Acknowledged(HollowNode node, long sent, bool ready)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_latencies) _latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
        var previous = Volatile.Read(ref node.LastAck);
        if (previous != 0)
        {
            var gap = Stopwatch.GetElapsedTime(previous, now).TotalSeconds;
            if (gap > node.MaxAckGapSeconds) Volatile.Write(ref node.MaxAckGapSeconds, gap);
        }
        Volatile.Write(ref node.LastAck, now);
        Volatile.Write(ref node.LastHeartbeatSent, sent);
        if (previous == 0 && ready && Interlocked.Increment(ref _ready) == Nodes.Count) _allReady.TrySetResult();
    }

    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return 0;
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        foreach (var node in Nodes)
        {
            node.Life.Dispose();
            node.Client?.Dispose();
        }
        _joiner.Dispose();
        _connections.Dispose();
        _stop.Dispose();
    }
}
