using System.Globalization;

namespace Chas.Bench.SubmitToRunning;

/// <summary>The printed result: the two series, the ratios against the target, and where each spends its time.</summary>
internal static class Report
{
    public const double TargetRatio = 1.30;

    public static void Write(TextWriter output, IReadOnlyList<BaselineSample> docker, IReadOnlyList<ChasSample> chas)
    {
        var bare = Latencies.Of(docker.Select(s => s.Total));
        var ours = Latencies.Of(chas.Select(s => s.Total));

        output.WriteLine();
        output.WriteLine("submit-to-running latency (ms)");
        output.WriteLine($"  {"",-12} {"n",4} {"p50",8} {"p90",8} {"p99",8} {"max",8}");
        Row(output, "bare docker", bare);
        Row(output, "chas", ours);
        output.WriteLine();
        output.WriteLine(Ratio("p50", ours.P50, bare.P50, withTarget: true));
        output.WriteLine(Ratio("p99", ours.P99, bare.P99, withTarget: false));

        output.WriteLine();
        output.WriteLine("where the time goes (ms, p50 and p90 of each part; the parts of one sample add up to its total)");
        output.WriteLine("  bare docker");
        Part(output, "create call -> engine made the container", docker.Select(s => s.BeforeEngine));
        Part(output, "engine: container made -> process started", docker.Select(s => s.Engine));
        Part(output, "process started -> start call returned", docker.Select(s => s.AfterEngine));
        output.WriteLine("  chas");
        Part(output, "POST -> task stored (CreatedAt)", chas.Select(s => s.ToStored));
        Part(output, "stored -> bound by scheduler (ScheduledAt)", chas.Select(s => s.Scheduling));
        Part(output, "bound -> engine made the container (agent)", chas.Select(s => s.AgentToCreate));
        Part(output, "engine: container made -> process started", chas.Select(s => s.Engine));
        Part(output, "process started -> agent's StartedAt", chas.Select(s => s.AgentAfterStart));
        Part(output, "StartedAt -> watcher saw running", chas.Select(s => s.Reporting));
        output.WriteLine("  outside the engine (total minus the engine's part)");
        Part(output, "bare docker", docker.Select(s => s.Total - s.Engine));
        Part(output, "chas", chas.Select(s => s.OutsideEngine));
    }

    public static string Ratio(string what, double chas, double docker, bool withTarget)
    {
        var ratio = chas / docker;
        return withTarget
            ? string.Create(CultureInfo.InvariantCulture,
                $"ratio {what} chas/docker: {ratio:0.00} (target <= {TargetRatio:0.00}) {(ratio <= TargetRatio ? "met" : "MISSED")}")
            : string.Create(CultureInfo.InvariantCulture, $"ratio {what} chas/docker: {ratio:0.00} (no target)");
    }

    private static void Row(TextWriter output, string name, Latencies l) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-12} {l.Count,4} {l.P50,8:0.0} {l.P90,8:0.0} {l.P99,8:0.0} {l.Max,8:0.0}"));

    private static void Part(TextWriter output, string name, IEnumerable<TimeSpan> samples)
    {
        var l = Latencies.Of(samples);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {name,-44} {l.P50,8:0.0} {l.P90,8:0.0}"));
    }
}
