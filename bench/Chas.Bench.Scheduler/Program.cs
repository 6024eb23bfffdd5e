// Scheduler benchmarks with hollow nodes (fake agents in this process) against the real `chas server` and store:
//   scheduler   N nodes, deployments totalling M instances: binds/s persisted vs the raw store's batched write
//               rate measured in the same run, and the server's peak memory
//   node-loss   N nodes acting as agents, R replicas: seconds from a node's death to all replacements running
// Exit code 0 whether or not a target is met (it is a measurement, not a test); 1 on errors; 2 on bad arguments.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Chas.Bench.Scheduler;
using Chas.Client;

var options = BenchOptions.Parse(args, Console.Error);
if (options is null) return 2;

using var cancel = new CancellationTokenSource();
// Ctrl-C or a kill: stop measuring, but still kill the server and delete its data (the handlers keep the runtime alive).
void OnSignal(PosixSignalContext signal)
{
    signal.Cancel = true;
    cancel.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
var runStarted = Stopwatch.GetTimestamp();

void Progress(string line) => Console.Error.WriteLine($"[bench] {line}");

try
{
    return options.Mode == BenchMode.Scheduler
        ? await SchedulerBench.RunAsync(options, Progress, cancel.Token)
        : await NodeLossBench.RunAsync(options, Progress, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Progress("interrupted");
    return 130;
}
catch (Exception ex) when (ex is HttpRequestException or ChasApiException or InvalidOperationException or TimeoutException or IOException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    if (options.Verbose) Console.Error.WriteLine(ex);
    return 1;
}
finally
{
    Progress(string.Create(CultureInfo.InvariantCulture, $"cleaned up; the run took {Stopwatch.GetElapsedTime(runStarted).TotalSeconds:0.0} s"));
}
