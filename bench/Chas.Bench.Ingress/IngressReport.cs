using System.Globalization;

namespace Chas.Bench.Ingress;

/// <summary>The printed result: every measurement, each target's median over the rounds, and the two verdicts.</summary>
internal sealed class IngressReport(BenchOptions options, int cores, string? loadAtStart, string? loadAtEnd, int backendPort, IReadOnlyList<Sample> samples)
{
    public const double ThroughputTarget = 1.0;
    public const double AddedP99TargetMs = 1.0;

    public long ErrorCount => samples.Sum(s => s.Wrk.Errors);

    public void Write(TextWriter o)
    {
        void Line(FormattableString line) => o.WriteLine(line.ToString(CultureInfo.InvariantCulture));
        var chasBuilt = File.GetLastWriteTime(options.ChasPath);

        Line($"machine: {Cores} (nproc), {Load}");
        Line($"backend: Kestrel in the benchmark process on 127.0.0.1:{backendPort}, GET / -> 200 \"Hello, World!\" ({FastBackend.Body.Length} bytes), keep-alive");
        Line($"nginx:   {options.NginxPath} -c <temporary>; {NginxProxy.Summary}");
        Line($"chas:    {options.ChasPath} ingress (built {chasBuilt:yyyy-MM-dd HH:mm}); Host {ChasIngress.Host} -> the deployment's one ready instance, the backend");
        if (options.IngressEnv.Count > 0) Line($"         its environment also has {Env(options.IngressEnv)}");
        if (options.ComparePath is { } other)
        {
            Line($"chas-b:  {other} ingress (built {File.GetLastWriteTime(other):yyyy-MM-dd HH:mm}), with its own server, measured after chas in every round");
            if (options.CompareEnv.Count > 0) Line($"         its environment also has {Env(options.CompareEnv)}");
        }
        Line($"wrk:     {string.Join(' ', Wrk.Arguments(options, options.Duration, null))} (chas: plus -H 'Host: {ChasIngress.Host}')");
        Line($"         {options.Rounds} round(s) of {string.Join(", ", samples.Select(s => s.Target.Name).Distinct())} in turn; a warm-up run before each measurement ({options.Warmup.TotalSeconds:0} s before a target's first, {options.Rewarm.TotalSeconds:0} s later)");
        o.WriteLine();

        Line($"every measurement (CPU: user + system time during the run; proxy = nginx's master and workers, or the chas ingress process)");
        Line($"  round  target       req/s   p50 ms   p90 ms   p99 ms   errors   proxy cores   proxy us/req   backend us/req");
        foreach (var s in samples)
        {
            var requests = Math.Max(1, s.Wrk.Requests);
            var proxyCores = s.ProxyCpu is { } p ? (p / s.Wall).ToString("0.00", CultureInfo.InvariantCulture) : "-";
            var proxyPerRequest = s.ProxyCpu is { } q ? (q.TotalMicroseconds / requests).ToString("0.0", CultureInfo.InvariantCulture) : "-";
            Line($"  {s.Round,5}  {s.Target.Name,-8} {s.Wrk.RequestsPerSecond,9:0} {s.Wrk.P50Ms,8:0.00} {s.Wrk.P90Ms,8:0.00} {s.Wrk.P99Ms,8:0.00} {s.Wrk.Errors,8} {proxyCores,13} {proxyPerRequest,14} {s.BackendCpu.TotalMicroseconds / requests,16:0.0}");
        }
        o.WriteLine();

        var all = samples.Select(s => s.Target.Name).Distinct().Select(Summarize).ToList();
        var (direct, nginx, chas) = (all.Single(t => t.Name == "direct"), all.Single(t => t.Name == "nginx"), all.Single(t => t.Name == "chas"));
        Line($"median of {options.Rounds} round(s)");
        Line($"  target       req/s   p50 ms   p90 ms   p99 ms   added p99 ms   proxy us/req");
        foreach (var t in all)
        {
            var added = t.Name == "direct" ? "-" : (t.P99 - direct.P99).ToString("0.00", CultureInfo.InvariantCulture);
            var perRequest = t.ProxyPerRequestUs is { } us ? us.ToString("0.0", CultureInfo.InvariantCulture) : "-";
            Line($"  {t.Name,-8} {t.Rps,9:0} {t.P50,8:0.00} {t.P90,8:0.00} {t.P99,8:0.00} {added,14} {perRequest,14}");
        }
        o.WriteLine();

        var ratio = chas.Rps / nginx.Rps;
        var (nginxAdded, chasAdded) = (nginx.P99 - direct.P99, chas.P99 - direct.P99);
        Line($"throughput CHaS/nginx: {ratio:0.00} (target >= {ThroughputTarget:0.00}) {Verdict(ratio >= ThroughputTarget)}");
        Line($"added p99 vs direct: nginx {nginxAdded:0.00} ms, CHaS {chasAdded:0.00} ms (target <= {AddedP99TargetMs:0} ms) {Verdict(chasAdded <= AddedP99TargetMs)}");
        if (all.SingleOrDefault(t => t.Name == "chas-b") is { } b)
            Line($"chas-b against chas: throughput {b.Rps / chas.Rps:0.00}, proxy us/req {b.ProxyPerRequestUs / chas.ProxyPerRequestUs:0.00}, p99 {b.P99 - chas.P99:+0.00;-0.00;0.00} ms (no target)");
        Line($"cores: {cores} (nproc); {Load}");
    }

    private string Cores => cores == 1 ? "1 core" : $"{cores} cores";

    private string Load => (loadAtStart, loadAtEnd) switch
    {
        (null, _) => "load average unknown",
        (var start, null) => $"load average {start} when the run began",
        var (start, end) => $"load average {start} when the run began, {end} at the end",
    };

    private static string Env(IReadOnlyDictionary<string, string> env) => string.Join(' ', env.Select(e => $"{e.Key}={e.Value}"));

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private sealed record Summary(string Name, double Rps, double P50, double P90, double P99, double? ProxyPerRequestUs);

    private Summary Summarize(string target)
    {
        var of = samples.Where(s => s.Target.Name == target).ToList();
        return new Summary(target,
            Median(of.Select(s => s.Wrk.RequestsPerSecond)),
            Median(of.Select(s => s.Wrk.P50Ms)),
            Median(of.Select(s => s.Wrk.P90Ms)),
            Median(of.Select(s => s.Wrk.P99Ms)),
            of.All(s => s.ProxyCpu is not null) ? Median(of.Select(s => s.ProxyCpu!.Value.TotalMicroseconds / Math.Max(1, s.Wrk.Requests))) : null);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
