using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Bench.Scheduler;

/// <summary>What one scheduler run measured; <see cref="SchedulerReport"/> prints it.</summary>
internal sealed record SchedulerRun
{
    public required BenchOptions Options { get; init; }
    public required string? LoadAtStart { get; init; }
    public required int Deployments { get; init; }
    public required RawStoreBaseline.Result Raw { get; init; }
    public required TimeSpan Registration { get; init; }
    public required TimeSpan AllReady { get; init; }
    /// <summary>Cores the server kept busy with nothing but the nodes' heartbeats.</summary>
    public required double IdleCores { get; init; }
    public required DateTimeOffset ApplyStartedUtc { get; init; }
    public required TimeSpan Applied { get; init; }
    /// <summary>First apply until the watch saw every instance bound, or until the timeout.</summary>
    public required TimeSpan Elapsed { get; init; }
    public required bool AllBound { get; init; }
    public required int Bound { get; init; }
    /// <summary>Seconds after the first apply at which each instance was first seen bound, sorted.</summary>
    public required double[] BoundAt { get; init; }
    public required IReadOnlyCollection<TaskResource> Tasks { get; init; }
    public required (long PeakRss, long HighWater) ServerMemory { get; init; }
    public required TimeSpan ServerCpu { get; init; }
    public required TimeSpan BenchCpu { get; init; }
    public required (int Sent, int Failed, double P50Ms, double P99Ms, double MaxMs, double MaxGapSeconds) Heartbeats { get; init; }
    public required (int NotReady, int Resyncs, int Errors) ServerTrouble { get; init; }
    public required (int Lost, int Events, int Resumes, int Relists) Watch { get; init; }
}

/// <summary>
/// Scheduler throughput with hollow nodes: the real `chas server` and its store, N fake nodes heartbeating from
/// this process, deployments totalling the instance count applied at once, and ONE watch of tasks that sees them
/// bound. The hollow nodes run nothing and report nothing: instances stay 'scheduled', which is what a bind is.
/// </summary>
internal static class SchedulerBench
{
    public const long InstanceCpuMillis = 100;
    public const long InstanceMemoryBytes = 64L << 20;
    public const string Image = "chas-bench/hollow:latest";
    private static readonly IReadOnlyList<string> Command = ["sleep", "infinity"];

    public static async Task<int> RunAsync(BenchOptions options, Action<string> progress, CancellationToken ct)
    {
        var loadAtStart = Machine.LoadAverage();
        var deployments = (options.Instances + options.ReplicasPerDeployment - 1) / options.ReplicasPerDeployment;

        // The baseline first, before the server starts, so that the two never compete for the disk or the cores.
        var raw = await RawStoreBaseline.RunAsync(options.Instances, SampleInstanceJson(), ct);
        progress(string.Create(CultureInfo.InvariantCulture,
            $"raw store: {raw.Objects} objects created in {raw.Creates.TotalSeconds:0.0} s, updated in {raw.Updates.TotalSeconds:0.0} s"));

        await using var server = await ServerProcess.StartAsync(options.ChasPath, options.Verbose, TimeSpan.FromSeconds(60));
        await using var sampler = new ProcessSampler(server.Pid);
        using var admin = new ChasClient(server.Server, server.AdminToken);
        await using var nodes = new HollowNodes(server.Server, server.NodeToken, options.Nodes);
        progress($"chas server up at {server.Server} (pid {server.Pid})");

        var started = Stopwatch.GetTimestamp();
        await nodes.RegisterAllAsync(ct);
        var registration = Stopwatch.GetElapsedTime(started);
        progress($"registered {options.Nodes} hollow nodes in {registration.TotalSeconds:0.0} s");
        started = Stopwatch.GetTimestamp();
        await nodes.StartHeartbeatsAsync().WaitAsync(options.Timeout, ct);
        var allReady = Stopwatch.GetElapsedTime(started);
        progress($"all {options.Nodes} nodes ready after {allReady.TotalSeconds:0.0} s of heartbeats");

        // What the heartbeats alone cost the server, before any work: one interval for the nodes' ready transitions
        // to settle, then two intervals with nothing else to do.
        await Task.Delay(HollowNodes.HeartbeatInterval, ct);
        var cpuBefore = sampler.CpuTime();
        await Task.Delay(2 * HollowNodes.HeartbeatInterval, ct);
        var idleCores = (sampler.CpuTime() - cpuBefore) / (2 * HollowNodes.HeartbeatInterval);

        await using var tracker = await TaskTracker.StartAsync(admin, ct);
        nodes.ResetStats();
        var serverCpu = sampler.CpuTime();
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;

        var applyStartedUtc = DateTimeOffset.UtcNow;
        var applyStarted = Stopwatch.GetTimestamp();
        for (var d = 0; d < deployments; d++)
        {
            var replicas = Math.Min(options.ReplicasPerDeployment, options.Instances - d * options.ReplicasPerDeployment);
            await admin.ApplyDeploymentAsync(new ApplyDeploymentRequest
            {
                Name = $"bench-{d:D4}", Replicas = replicas, Image = Image, Command = Command,
                CpuMillis = InstanceCpuMillis, MemoryBytes = InstanceMemoryBytes,
            }, ct);
        }
        var applied = Stopwatch.GetElapsedTime(applyStarted);
        progress($"applied {deployments} deployments in {applied.TotalSeconds:0.0} s; waiting for {options.Instances} binds");

        using var ticker = options.Verbose ? StartTicker(tracker, applyStarted, progress) : null;
        var allBound = tracker.WaitUntilAsync(t => t.Bound >= options.Instances, ct);
        var finished = await Task.WhenAny(allBound, Task.Delay(options.Timeout, ct)) == allBound;
        ct.ThrowIfCancellationRequested();
        await (finished ? allBound : Task.CompletedTask);
        var elapsed = Stopwatch.GetElapsedTime(applyStarted);
        serverCpu = sampler.CpuTime() - serverCpu;
        benchCpu = Process.GetCurrentProcess().TotalProcessorTime - benchCpu;

        var boundAt = tracker.FirstBoundTimes.Select(t => Stopwatch.GetElapsedTime(applyStarted, t).TotalSeconds).Order().ToArray();
        SchedulerReport.Write(Console.Out, new SchedulerRun
        {
            Options = options, LoadAtStart = loadAtStart, Deployments = deployments, Raw = raw,
            Registration = registration, AllReady = allReady, IdleCores = idleCores, ApplyStartedUtc = applyStartedUtc, Applied = applied, Elapsed = elapsed, AllBound = finished, Bound = tracker.Bound,
            BoundAt = boundAt, Tasks = tracker.Tasks, ServerMemory = sampler.Memory, ServerCpu = serverCpu, BenchCpu = benchCpu,
            Heartbeats = nodes.Stats(), ServerTrouble = server.TroubleLines,
            Watch = (tracker.Lost.Count, tracker.Events, tracker.Resumes, tracker.Relists),
        });
        if (!finished) Console.Error.WriteLine($"the server's last lines:\n{server.LastLines()}");
        return 0;
    }

    /// <summary>A bound instance as the server stores it, for the raw store's objects to be of the same size.</summary>
    public static string SampleInstanceJson()
    {
        var now = DateTimeOffset.UtcNow;
        var instance = new TaskResource
        {
            Name = "bench-0042-1-bcdfg", Uid = Guid.NewGuid().ToString("N"), Image = Image, Command = Command,
            CpuMillis = InstanceCpuMillis, MemoryBytes = InstanceMemoryBytes, RestartPolicy = RestartPolicy.Always,
            Deployment = "bench-0042", Revision = 1, Status = TaskPhase.Scheduled, Node = "hollow-01234",
            CreatedAt = now, ScheduledAt = now,
        };
        return JsonSerializer.Serialize(instance, ChasJsonContext.Default.TaskResource);
    }

    /// <summary>With --verbose: the bound count once a second.</summary>
    private static Timer StartTicker(TaskTracker tracker, long since, Action<string> progress) =>
        new(_ => progress(string.Create(CultureInfo.InvariantCulture,
            $"{Stopwatch.GetElapsedTime(since).TotalSeconds,6:0.0} s: {tracker.Bound} bound, {tracker.Count} instances")), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
}
