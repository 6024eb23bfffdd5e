using Chas.Contracts;

namespace Chas.Bench.Scheduler;

/// <summary>Prints a scheduler run: the verdict against the issue's targets, then where the time went.</summary>
internal static class SchedulerReport
{
    public const double TargetBindsPerSecond = 2000;
    public const double TargetRatio = 0.5;
    public const double TargetPeakMiB = 1024;

    public static void Write(TextWriter o, SchedulerRun run)
    {
        var opt = run.Options;
        var raw = run.Raw;
        var seconds = run.Elapsed.TotalSeconds;
        var bindsPerSecond = run.Bound / seconds;
        var ratio = bindsPerSecond / raw.UpdatesPerSecond;
        var peakMiB = Math.Max(run.ServerMemory.HighWater, run.ServerMemory.PeakRss) / (double)(1 << 20);

        Line(o, $"machine: {Machine.Describe(run.LoadAtStart)}");
        Line(o, $"hollow nodes: {opt.Nodes} ({HollowNodes.Capacity.CpuMillis / 1000} cores, {HollowNodes.Capacity.MemoryBytes >> 30} GiB each), " +
            $"a heartbeat every {HollowNodes.HeartbeatInterval.TotalSeconds:0} s each; they run nothing and report nothing, so instances stay 'scheduled'");
        Line(o, $"instances: {opt.Instances} in {run.Deployments} deployments of up to {opt.ReplicasPerDeployment} " +
            $"({SchedulerBench.InstanceCpuMillis}m cpu, {SchedulerBench.InstanceMemoryBytes >> 20} MiB, no ports, spread)");
        Line(o, $"setup: {opt.Nodes} nodes registered in {run.Registration.TotalSeconds:0.0} s, all ready {run.AllReady.TotalSeconds:0.0} s later; " +
            $"their heartbeats alone keep the server {run.IdleCores:0.00} of {Environment.ProcessorCount} cores busy");
        o.WriteLine();

        Line(o, $"raw store: SqliteObjectStore, synchronous FULL, commits of {RawStoreBaseline.BatchSize}, {raw.JsonBytes}-byte objects");
        Line(o, $"  create {raw.Objects,7} objects {raw.Creates.TotalSeconds,8:0.00} s {raw.CreatesPerSecond,10:0} objects/s");
        Line(o, $"  update {raw.Objects,7} objects {raw.Updates.TotalSeconds,8:0.00} s {raw.UpdatesPerSecond,10:0} objects/s   (the baseline: a bind is a conditional update)");
        o.WriteLine();

        Line(o, $"scheduler: first apply -> one watch of tasks saw {(run.AllBound ? "all" : "NOT all")} {opt.Instances} instances bound" +
            (run.AllBound ? "" : $" (gave up after {opt.Timeout.TotalSeconds:0} s with {run.Bound} bound)"));
        Line(o, $"  time to all bound      {seconds,9:0.0} s");
        Line(o, $"  binds/s persisted      {bindsPerSecond,9:0}      target >= {TargetBindsPerSecond:0}    {Verdict(run.AllBound && bindsPerSecond >= TargetBindsPerSecond)}");
        Line(o, $"  ratio to raw store     {ratio,9:0.00}      target >= {TargetRatio:0.00}    {Verdict(run.AllBound && ratio >= TargetRatio)}");
        Line(o, $"  server peak memory     {peakMiB,9:0} MiB  target <= {TargetPeakMiB:0}    {Verdict(peakMiB <= TargetPeakMiB)}" +
            $"   (VmHWM; highest sampled VmRSS {run.ServerMemory.PeakRss / (double)(1 << 20):0} MiB)");
        o.WriteLine();

        WriteBreakdown(o, run);
    }

    private static void WriteBreakdown(TextWriter o, SchedulerRun run)
    {
        var instances = run.Tasks.Where(t => t.Deployment is not null).ToList();
        double After(DateTimeOffset at) => (at - run.ApplyStartedUtc).TotalSeconds;
        var scheduled = instances.Where(t => t.ScheduledAt is not null).ToList();
        var waits = scheduled.Select(t => (t.ScheduledAt!.Value - t.CreatedAt).TotalSeconds).Order().ToArray();
        var cores = Environment.ProcessorCount;

        Line(o, "where the time goes (seconds after the first apply; createdAt and scheduledAt are the server's own stamps)");
        Line(o, $"  all deployments applied                        {run.Applied.TotalSeconds,8:0.0}");
        if (instances.Count > 0)
        {
            Line(o, $"  first instance created (createdAt)             {After(instances.Min(t => t.CreatedAt)),8:0.0}");
            Line(o, $"  last instance created                          {After(instances.Max(t => t.CreatedAt)),8:0.0}");
        }
        if (scheduled.Count > 0)
        {
            Line(o, $"  first bind (scheduledAt: its pass's start)     {After(scheduled.Min(t => t.ScheduledAt!.Value)),8:0.0}");
            Line(o, $"  last pass that bound something started         {After(scheduled.Max(t => t.ScheduledAt!.Value)),8:0.0}");
            Line(o, $"  passes that bound something                    {scheduled.Select(t => t.ScheduledAt).Distinct().Count(),8}");
            Line(o, $"  created -> scheduledAt p50 / p90 / max          {Pct(waits, 0.5):0.0} / {Pct(waits, 0.9):0.0} / {waits[^1]:0.0}");
        }
        if (run.BoundAt.Length > 0)
        {
            Line(o, $"  watch saw the first / last bind                {run.BoundAt[0],8:0.0} / {run.BoundAt[^1]:0.0}");
            var (from, to) = (Pct(run.BoundAt, 0.1), Pct(run.BoundAt, 0.9));
            if (to > from) Line(o, $"  bind rate between 10% and 90% bound           {0.8 * run.BoundAt.Length / (to - from),8:0} binds/s");
        }
        Line(o, $"  server CPU                                     {run.ServerCpu.TotalSeconds,8:0.0} s = {run.ServerCpu / run.Elapsed:0.00} of {cores} cores");
        Line(o, $"  bench CPU (hollow nodes, watch)                {run.BenchCpu.TotalSeconds,8:0.0} s = {run.BenchCpu / run.Elapsed:0.00} of {cores} cores");
        var hb = run.Heartbeats;
        Line(o, $"  heartbeats: {hb.Sent} answered, {hb.Failed} failed; round trip p50 {hb.P50Ms:0} ms, p99 {hb.P99Ms:0} ms, max {hb.MaxMs:0} ms; " +
            $"longest silence of a node {hb.MaxGapSeconds:0.0} s (timeout 6 s)");
        Line(o, $"  server log: {run.ServerTrouble.NotReady} nodes marked notready, {run.ServerTrouble.Resyncs} cache re-lists, {run.ServerTrouble.Errors} errors");
        Line(o, $"  watch: {run.Watch.Events} events, {run.Watch.Lost} lost tasks, {run.Watch.Resumes} resumes, {run.Watch.Relists} re-lists; " +
            $"{instances.Count(t => t.Status == TaskPhase.Pending)} instances still pending");
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static double Pct(double[] sorted, double p) => HollowNodes.Percentile(sorted, p);

    // The project runs with invariant globalization: numbers always print with a decimal point.
    private static void Line(TextWriter o, string line) => o.WriteLine(line);
}
