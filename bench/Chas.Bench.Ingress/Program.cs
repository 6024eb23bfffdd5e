// Ingress benchmark: one fast backend measured with wrk directly, through nginx as a reverse proxy, and through the
// CHaS ingress (`chas ingress`, routing to the backend as the one ready instance of a deployment), in one run.
// Prints requests/s and latency percentiles for each, the throughput ratio CHaS/nginx and the p99 each proxy adds.
// Exit code 0 whether or not a target is met (it is a measurement, not a test); 1 on errors; 2 on bad arguments.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Chas.Bench.Ingress;
using Chas.Client;

var options = BenchOptions.Parse(args, Console.Error);
if (options is null) return 2;

using var cancel = new CancellationTokenSource();
// Ctrl-C or a kill: stop measuring, but still stop every child process and delete their files.
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
    return await IngressBench.RunAsync(options, Progress, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Progress("interrupted");
    return 130;
}
catch (Exception ex) when (ex is HttpRequestException or ChasApiException or InvalidOperationException or TimeoutException or IOException
                               or System.ComponentModel.Win32Exception)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    if (options.Verbose) Console.Error.WriteLine(ex);
    return 1;
}
finally
{
    Progress(string.Create(CultureInfo.InvariantCulture, $"cleaned up; the run took {Stopwatch.GetElapsedTime(runStarted).TotalSeconds:0.0} s"));
}
