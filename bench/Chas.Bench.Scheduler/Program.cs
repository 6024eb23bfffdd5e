// Scheduler benchmarks with hollow nodes (fake agents in this process) against the real `chas server` and store:
//   scheduler   N nodes, deployments totalling M instances: binds/s persisted vs the raw store's batched write
//               rate measured in the same run, and the server's peak memory
//   node-loss   N nodes acting as agents, R replicas: seconds from a node's death to all replacements running
// Exit code 0 whether or not a target is met (it is a measurement, not a test); 1 on errors; 2 on bad arguments.
using Chas.Bench.Scheduler;
using Chas.Testing.Benchmarks;

var options = BenchOptions.Parse(args, Console.Error);
if (options is null) return 2;

// Ctrl-C or a kill stops measuring but still cleans up (BenchMain).
return await BenchMain.RunAsync(options.Verbose, (progress, ct) =>
    options.Mode == BenchMode.Scheduler
        ? SchedulerBench.RunAsync(options, progress, ct)
        : NodeLossBench.RunAsync(options, progress, ct));
