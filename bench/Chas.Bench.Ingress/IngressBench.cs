using System.Diagnostics;

namespace Chas.Bench.Ingress;

/// <summary>Something wrk is pointed at; <see cref="ProxyCpu"/> is null for the backend itself.</summary>
internal sealed record Target(string Name, Uri Url, string? Host, Func<TimeSpan>? ProxyCpu);

/// <summary>One measured wrk run, with the CPU the backend and the proxy used during it.</summary>
internal sealed record Sample(Target Target, int Round, WrkResult Wrk, TimeSpan Wall, TimeSpan BackendCpu, TimeSpan? ProxyCpu);

/// <summary>
/// The same backend measured directly, through nginx and through the CHaS ingress, with the same wrk settings, in
/// rounds (direct, nginx, chas in turn) so that a change in the machine's load during the run falls on all three
/// (and on a fourth, "chas-b", another build or setting, with --compare).
/// Each measurement follows a warm-up run against the same target (JIT, connection pools, nginx's upstream
/// keep-alive), which is discarded: a long one before the target's first measurement, a short one before the others.
/// </summary>
internal static class IngressBench
{
    public static async Task<int> RunAsync(BenchOptions options, Action<string> progress, CancellationToken ct)
    {
        var loadAtStart = Machine.LoadAverage();
        var cores = Machine.Cores();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

        await using var backend = await FastBackend.StartAsync(ct);
        await using var nginx = await NginxProxy.StartAsync(options, backend.Port, http, ct);
        progress($"backend on {backend.Url}, nginx on {nginx.Url}");
        await using var chas = await ChasIngress.StartAsync(options, backend.Port, http, progress, ct);
        progress($"chas ingress on {chas.Url} routes {ChasIngress.Host} to the backend");
        await using var chasB = options.ComparePath is { } other
            ? await ChasIngress.StartAsync(options with { ChasPath = other, IngressEnv = options.CompareEnv }, backend.Port, http, progress, ct)
            : null;
        if (chasB is not null) progress($"chas-b ingress ({options.ComparePath}) on {chasB.Url}");

        List<Target> targets =
        [
            new("direct", backend.Url, null, null),
            new("nginx", nginx.Url, null, nginx.CpuTime),
            new("chas", chas.Url, ChasIngress.Host, chas.CpuTime),
        ];
        if (chasB is not null) targets.Add(new("chas-b", chasB.Url, ChasIngress.Host, chasB.CpuTime));
        var samples = new List<Sample>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var target in targets)
            {
                var warmup = round == 1 ? options.Warmup : options.Rewarm;
                progress($"round {round}/{options.Rounds}: {target.Name} ({warmup.TotalSeconds:0} s warm-up, {options.Duration.TotalSeconds:0} s measured)");
                if (warmup > TimeSpan.Zero) await Wrk.RunAsync(options, target.Url, target.Host, warmup, ct);
                samples.Add(await MeasureAsync(options, target, round, ct));
            }
        }

        var report = new IngressReport(options, cores, loadAtStart, Machine.LoadAverage(), backend.Port, samples);
        report.Write(Console.Out);
        if (report.ErrorCount > 0)
        {
            Console.Error.WriteLine("error: some requests failed (see the errors column); the figures do not measure what they claim to");
            return 1;
        }
        return 0;
    }

    private static async Task<Sample> MeasureAsync(BenchOptions options, Target target, int round, CancellationToken ct)
    {
        var backendBefore = ProcessCpu.OfThisProcess();
        var proxyBefore = target.ProxyCpu?.Invoke();
        var started = Stopwatch.GetTimestamp();
        var result = await Wrk.RunAsync(options, target.Url, target.Host, options.Duration, ct);
        var wall = Stopwatch.GetElapsedTime(started);
        return new Sample(target, round, result, wall, ProcessCpu.OfThisProcess() - backendBefore, target.ProxyCpu?.Invoke() - proxyBefore);
    }
}
