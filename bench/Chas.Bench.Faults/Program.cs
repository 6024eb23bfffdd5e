// issue 19's benchmarks on a real `chas` and a private PostgreSQL:
//   faults          three `chas server --store` on one database: kill -9 the leader during parallel creates (rounds),
//                   restart PostgreSQL under write load; writes lost, duplicates, seconds until scheduling and the API are back
//   store-latency   one `chas server` on SQLite and one on PostgreSQL: mutating API latency under 20 writes/s of churn,
//                   and the time to list 10,000 tasks; both engines side by side
// Exit code 0 whether or not a target is met (it is a measurement, not a test); 1 on errors; 2 on bad arguments.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Chas.Bench.Faults;
using Chas.Client;

var options = FaultsOptions.Parse(args, Console.Error);
if (options is null) return 2;

using var cancel = new CancellationTokenSource();
// Ctrl-C or a kill: stop measuring, but still kill the servers and PostgreSQL and delete their data.
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
    return options.Mode == FaultsMode.Faults
        ? await FaultsBench.RunAsync(options, Progress, cancel.Token)
        : await StoreLatencyBench.RunAsync(options, Progress, cancel.Token);
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
