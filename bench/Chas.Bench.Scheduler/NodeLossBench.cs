using System.Diagnostics;
using System.Globalization;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Bench.Scheduler;

/// <summary>What one node-loss run measured.</summary>
internal sealed record NodeLossRun
{
    public required BenchOptions Options { get; init; }
    public required string? LoadAtStart { get; init; }
    public required TimeSpan AllReady { get; init; }
    public required string Victim { get; init; }
    public required int OnVictim { get; init; }
    /// <summary>Nodes the server had marked notready before the kill: it was too busy to take their heartbeats in time.</summary>
    public required int NotReadyBefore { get; init; }
    public required double MaxSilenceBefore { get; init; }
    public required bool Healed { get; init; }
    public required DateTimeOffset KilledUtc { get; init; }
    public required DateTimeOffset LastHeartbeatUtc { get; init; }
    public required DateTimeOffset HealedUtc { get; init; }
    public required IReadOnlyList<TaskResource> Lost { get; init; }
    public required IReadOnlyList<TaskResource> Replacements { get; init; }
}

/// <summary>
/// Self-healing after a node dies: the real `chas server` with its default 6 s heartbeat timeout, N hollow nodes
/// that act as agents, one deployment of R replicas all ready; then one node is "killed" (its heartbeats and its
/// watch stop, as when the machine loses power) and one watch of tasks times how long until R instances are
/// running and ready again, none of them on the dead node.
/// </summary>
internal static class NodeLossBench
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private const string Deployment = "loss";

    public static async Task<int> RunAsync(BenchOptions options, Action<string> progress, CancellationToken ct)
    {
        var loadAtStart = Machine.LoadAverage();
        var replicas = options.Instances;
        await using var server = await ServerProcess.StartAsync(options.ChasPath, options.Verbose, TimeSpan.FromSeconds(60));
        using var admin = new ChasClient(server.Server, server.AdminToken);
        await using var nodes = new HollowNodes(server.Server, server.NodeToken, options.Nodes);
        await nodes.RegisterAllAsync(ct);
        await nodes.StartHeartbeatsAsync().WaitAsync(options.Timeout, ct);
        var agents = nodes.Nodes.Select(n => Task.Run(() => HollowAgent.RunAsync(server.Server, n.Credential, n.Name, n.Life.Token))).ToList();
        await using var tracker = await TaskTracker.StartAsync(admin, ct);
        progress($"chas server up at {server.Server}; {options.Nodes} hollow nodes ready, their agents watching");

        var started = Stopwatch.GetTimestamp();
        await admin.ApplyDeploymentAsync(new ApplyDeploymentRequest
        {
            Name = Deployment, Replicas = replicas, Image = SchedulerBench.Image, Command = ["sleep", "infinity"],
            CpuMillis = SchedulerBench.InstanceCpuMillis, MemoryBytes = SchedulerBench.InstanceMemoryBytes,
        }, ct);
        await tracker.WaitUntilAsync(t => t.Ready >= replicas, ct).WaitAsync(options.Timeout, ct);
        var allReady = Stopwatch.GetElapsedTime(started);

        // The victim: the node holding the most ready instances.
        var before = ReadyInstances(tracker);
        var victimName = before.GroupBy(t => t.Node!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var victim = nodes.Nodes.Single(n => n.Name == victimName);
        var onVictim = before.Count(t => t.Node == victimName);
        progress($"{replicas} replicas ready after {allReady.TotalSeconds:0.0} s; killing {victimName}, which holds {onVictim}");

        var notReadyBefore = server.TroubleLines.NotReady;
        var maxSilenceBefore = nodes.Stats().MaxGapSeconds;
        var killedAt = Stopwatch.GetTimestamp();
        var killedUtc = DateTimeOffset.UtcNow;
        HollowNodes.Kill(victim);
        // The moment the last heartbeat that the server acknowledged was sent (the server saw it a little later).
        var lastHeartbeatUtc = killedUtc - Stopwatch.GetElapsedTime(Volatile.Read(ref victim.LastHeartbeatSent), killedAt);

        // Stamped inside the condition, on the watch's reading loop, before any waiting code runs.
        var healedUtc = DateTimeOffset.MaxValue;
        var healed = tracker.WaitUntilAsync(t =>
        {
            if (t.Ready - t.ReadyOn(victimName) < replicas || t.LiveOn(victimName) > 0) return false;
            healedUtc = DateTimeOffset.UtcNow;
            return true;
        }, ct);
        var finished = await Task.WhenAny(healed, Task.Delay(options.Timeout, ct)) == healed;
        ct.ThrowIfCancellationRequested();

        var beforeUids = before.Select(t => t.Uid).ToHashSet(StringComparer.Ordinal);
        var replacements = ReadyInstances(tracker).Where(t => t.Node != victimName && !beforeUids.Contains(t.Uid)).ToList();
        Write(Console.Out, new NodeLossRun
        {
            Options = options, LoadAtStart = loadAtStart, AllReady = allReady, Victim = victimName, OnVictim = onVictim,
            NotReadyBefore = notReadyBefore, MaxSilenceBefore = maxSilenceBefore, Healed = finished,
            KilledUtc = killedUtc, LastHeartbeatUtc = lastHeartbeatUtc, HealedUtc = healedUtc,
            Lost = [.. tracker.Lost.Where(t => t.Node == victimName && t.FinishedAt >= lastHeartbeatUtc)], Replacements = replacements,
        });
        if (!finished) Console.Error.WriteLine($"the server's last lines:\n{server.LastLines()}");

        foreach (var node in nodes.Nodes) HollowNodes.Kill(node);
        await Task.WhenAll(agents);
        return 0;
    }

    /// <summary>Live instances of the deployment that run and are ready.</summary>
    private static List<TaskResource> ReadyInstances(TaskTracker tracker) =>
        [.. tracker.Tasks.Where(t => t.Deployment == Deployment && t.Status == TaskPhase.Running && t.Ready && !t.StopRequested)];

    private static void Write(TextWriter o, NodeLossRun run)
    {
        void Line(string line) => o.WriteLine(line); // invariant globalization: numbers print with a decimal point
        double After(DateTimeOffset at) => (at - run.LastHeartbeatUtc).TotalSeconds;
        string Span(IEnumerable<DateTimeOffset> times) => times.Any()
            ? string.Create(CultureInfo.InvariantCulture, $"{After(times.Min()),6:0.00} .. {After(times.Max()):0.00}") : "     -";
        var (options, replicas, victim) = (run.Options, run.Options.Instances, run.Victim);

        Line($"machine: {Machine.Describe(run.LoadAtStart)}");
        Line($"node-loss: {options.Nodes} hollow nodes acting as agents (they report running and ready at once for what is scheduled to them,");
        Line($"  stopped for what is asked to stop); a heartbeat every {HollowNodes.HeartbeatInterval.TotalSeconds:0} s; the server's heartbeat timeout 6 s (its default)");
        Line($"deployment: {replicas} replicas, all ready {run.AllReady.TotalSeconds:0.0} s after the apply; killed {victim} (its heartbeats and its watch), which held {run.OnVictim}");
        Line($"before the kill: the server had marked {run.NotReadyBefore} live nodes notready; longest heartbeat silence of a live node {run.MaxSilenceBefore:0.0} s" +
            (run.NotReadyBefore > 0 ? " (the server was too busy to take heartbeats in time)" : ""));
        o.WriteLine();

        var fromKill = (run.HealedUtc - run.KilledUtc).TotalSeconds;
        var fromHeartbeat = (run.HealedUtc - run.LastHeartbeatUtc).TotalSeconds;
        if (!run.Healed)
        {
            Line($"NOT healed within {options.Timeout.TotalSeconds:0} s: {run.Replacements.Count} replacements ready          MISSED");
            return;
        }
        Line($"until all {replicas} replicas ran ready again, none on {victim}:");
        Line($"  from the kill                 {fromKill,6:0.0} s");
        Line($"  from its last heartbeat       {fromHeartbeat,6:0.0} s   budget <= {Budget.TotalSeconds:0} s   {(fromHeartbeat <= Budget.TotalSeconds ? "met" : "MISSED")}");
        o.WriteLine();
        Line($"where the time goes (seconds after the last acknowledged heartbeat was sent; the server's own stamps)");
        Line($"  the kill                                       {After(run.KilledUtc),6:0.00}");
        Line($"  node declared dead, its instances lost         {Span(run.Lost.Select(t => t.FinishedAt ?? run.KilledUtc))}   ({run.Lost.Count} lost; the timeout is 6 s)");
        Line($"  replacements created (createdAt)               {Span(run.Replacements.Select(t => t.CreatedAt))}");
        Line($"  replacements bound (scheduledAt)               {Span(run.Replacements.Where(t => t.ScheduledAt is not null).Select(t => t.ScheduledAt!.Value))}");
        Line($"  replacements running (startedAt, the agents)   {Span(run.Replacements.Where(t => t.StartedAt is not null).Select(t => t.StartedAt!.Value))}");
        Line($"  the watch saw all ready again                  {After(run.HealedUtc),6:0.00}");
    }
}
