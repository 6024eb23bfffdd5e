// Ingress benchmark: one fast backend measured with wrk directly, through nginx as a reverse proxy, and through the
// CHaS ingress (`chas ingress`, routing to the backend as the one ready instance of a deployment), in one run.
// Prints requests/s and latency percentiles for each, the throughput ratio CHaS/nginx and the p99 each proxy adds.
// Exit code 0 whether or not a target is met (it is a measurement, not a test); 1 on errors; 2 on bad arguments.
using Chas.Bench.Ingress;
using Chas.Testing.Benchmarks;

var options = BenchOptions.Parse(args, Console.Error);
if (options is null) return 2;

// Ctrl-C or a kill stops measuring but still cleans up (BenchMain).
return await BenchMain.RunAsync(options.Verbose, (progress, ct) =>
    IngressBench.RunAsync(options, progress, ct),
    alsoExpected: ex => ex is System.ComponentModel.Win32Exception);
