using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Bench.Faults;

/// <summary>Acknowledged and unresolved writes of a fault, by task name.</summary>
internal sealed class WriteLedger
{
    /// <summary>Names the API answered 201 for: each must exist afterwards.</summary>
    public ConcurrentBag<string> Acknowledged { get; } = [];
    /// <summary>Names whose retry met 409: an earlier attempt had committed although its answer was lost.</summary>
    public ConcurrentBag<string> CommittedUnanswered { get; } = [];
    public int Retries;
    public int GaveUp;
    /// <summary>Stopwatch timestamps of the acknowledgements, in no particular order.</summary>
    public ConcurrentQueue<long> AckTimes { get; } = new();

    /// <summary>Creates <paramref name="name"/> on some live server, retrying elsewhere while servers or the store are away.</summary>
    public async Task CreateAsync(AnyServer api, CreateTaskRequest request, TimeSpan deadline, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await api.OnceAsync(c => c.CreateTaskAsync(request, ct));
                Acknowledged.Add(request.Name!);
                AckTimes.Enqueue(Stopwatch.GetTimestamp());
                return;
            }
            catch (ChasApiException ex) when (ex.Status == HttpStatusCode.Conflict)
            {
                CommittedUnanswered.Add(request.Name!);
                return;
            }
            catch (Exception ex) when (AnyServer.IsUnavailable(ex) && !ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref Retries);
                if (Stopwatch.GetTimestamp() > until)
                {
                    Interlocked.Increment(ref GaveUp);
                    return;
                }
                await Task.Delay(20, ct);
            }
        }
    }
}

/// <summary>What the leader-kill rounds measured.</summary>
internal sealed record LeaderKillResult
{
    public required WriteLedger Ledger { get; init; }
    /// <summary>Seconds from the kill until the probe task submitted right after it was bound to the node, one per round (NaN: never).</summary>
    public required IReadOnlyList<double> ScheduledAfterKill { get; init; }
    /// <summary>Seconds from the kill until exactly one surviving server said it leads, one per round (NaN: never).</summary>
    public required IReadOnlyList<double> ElectedAfterKill { get; init; }
    /// <summary>Rounds whose probe was not bound within the deadline.</summary>
    public required int ProbesUnbound { get; init; }
    /// <summary>The most live instances of the steady deployment above its replicas, after any round.</summary>
    public required int SteadyExcess { get; init; }
}

/// <summary>
/// kill -9 of the leader during parallel acknowledged creates, repeated: each round finds the leader, starts the
/// creates on all servers, kills the leader once a quarter of them are acknowledged, submits a probe task at once
/// and times until the probe is bound (a new leader schedules), then starts a server in the dead one's place.
/// </summary>
internal static class LeaderKillRounds
{
    public const string Image = "chas-bench/busybox:latest";
    public const string SteadyDeployment = "steady";
    public const int SteadyReplicas = 5;
    private const int CreateParallelism = 32;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static CreateTaskRequest BoundTask(string name) => new()
    {
        Name = name, Image = Image, Command = ["sleep", "infinity"], CpuMillis = 1, MemoryBytes = 8 << 20, NodeSelector = HeartbeatingNode.Label,
    };

    public static async Task<LeaderKillResult> RunAsync(HaCluster cluster, AnyServer api, FaultsOptions options, Action<string> progress, CancellationToken ct)
    {
        await api.UntilAnsweredAsync(c => c.ApplyDeploymentAsync(new ApplyDeploymentRequest
        {
            Name = SteadyDeployment, Replicas = SteadyReplicas, Image = Image, Command = ["sleep", "infinity"],
            CpuMillis = 1, MemoryBytes = 8 << 20, NodeSelector = HeartbeatingNode.Label,
        }, ct), Deadline, ct);
        await WaitForSteadyAsync(api, ct);

        var ledger = new WriteLedger();
        List<double> scheduled = [], elected = [];
        int unbound = 0, excess = 0;
        for (var round = 1; round <= options.Rounds; round++)
        {
            var leader = await cluster.FindLeaderAsync(Deadline, ct) ?? throw new TimeoutException($"no single leader within {Deadline.TotalSeconds:0} s\n{cluster.Diagnostics()}");
            var before = ledger.Acknowledged.Count;
            var prefix = $"r{round:D2}-";
            var creates = Parallel.ForEachAsync(Enumerable.Range(0, options.Creates),
                new ParallelOptions { MaxDegreeOfParallelism = CreateParallelism, CancellationToken = ct },
                async (i, token) => await ledger.CreateAsync(api, BoundTask($"{prefix}{i:D5}"), Deadline, token));
            while (ledger.Acknowledged.Count - before < options.Creates / 4 && !creates.IsCompleted) await Task.Delay(5, ct);

            var killed = Stopwatch.GetTimestamp();
            await cluster.KillAsync(leader);
            var election = StampedAsync(cluster.FindLeaderAsync(Deadline, ct));
            var probeName = $"probe-{round:D2}";
            await ledger.CreateAsync(api, BoundTask(probeName), Deadline, ct);
            var bound = await WaitBoundAsync(api, probeName, ct);
            scheduled.Add(bound ? Stopwatch.GetElapsedTime(killed).TotalSeconds : double.NaN);
            if (!bound) unbound++;
            var found = await election;
            elected.Add(found.Slot is null ? double.NaN : Stopwatch.GetElapsedTime(killed, found.At).TotalSeconds);

            await creates;
            await cluster.StartAsync(leader);
            excess = Math.Max(excess, await WaitForSteadyAsync(api, ct));
            progress($"round {round}/{options.Rounds}: killed server {leader} (the leader); a new one elected {elected[^1]:0.00} s, the probe bound {scheduled[^1]:0.00} s after the kill; " +
                $"{ledger.Acknowledged.Count} acknowledged, {ledger.Retries} retries so far");
        }
        return new LeaderKillResult
        {
            Ledger = ledger, ScheduledAfterKill = scheduled, ElectedAfterKill = elected, ProbesUnbound = unbound, SteadyExcess = excess,
        };
    }

    /// <summary>The leader's slot and the moment it was found, taken when the search ends rather than when it is awaited.</summary>
    private static async Task<(int? Slot, long At)> StampedAsync(Task<int?> search)
    {
        var slot = await search;
        return (slot, Stopwatch.GetTimestamp());
    }

    /// <summary>Polls the task until it is bound to a node (true) or the deadline passes (false).</summary>
    public static async Task<bool> WaitBoundAsync(AnyServer api, string name, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(Deadline.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            try
            {
                if (await api.OnceAsync(c => c.GetTaskAsync(name, ct: ct)) is { Node: not null }) return true;
            }
            catch (Exception ex) when (AnyServer.IsUnavailable(ex) && !ct.IsCancellationRequested)
            {
                // A server away: the next poll asks another.
            }
            await Task.Delay(20, ct);
        }
        return false;
    }

    /// <summary>Waits (up to 10 s) for the steady deployment's live instances to equal its replicas; returns how many above it remain.</summary>
    private static async Task<int> WaitForSteadyAsync(AnyServer api, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        var live = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            var tasks = await api.UntilAnsweredAsync(c => c.ListTasksAsync(ct: ct), Deadline, ct);
            live = tasks.Items.Count(t => t.Deployment == SteadyDeployment && !t.Status.IsTerminal() && t.Node is not null);
            if (live == SteadyReplicas) return 0;
            await Task.Delay(200, ct);
        }
        return Math.Max(0, live - SteadyReplicas);
    }
}
