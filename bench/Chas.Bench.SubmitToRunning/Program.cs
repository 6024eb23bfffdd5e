// Submit-to-running: how long from the API call until a watcher sees the task running, against bare Docker
// create+start of the same image measured in the same run. Prints p50/p90/p99/max, the ratios, and where the time goes.
// Exit code 0 whether or not the target is met (it is a measurement, not a test); 1 on errors; 2 on bad arguments.
using System.Globalization;
using System.Security.Cryptography;
using Chas.Bench.SubmitToRunning;
using Chas.Client;
using Chas.Runtime.Docker;
using Chas.Testing.Benchmarks;
using Docker.DotNet;

var options = BenchOptions.Parse(args, Console.Error);
if (options is null) return 2;

// Ctrl-C or a kill: stop measuring, but still clean up (the handlers keep the runtime from exiting at once).
using var cancel = new BenchCancellation();
var ct = cancel.Token;
var time = TimeProvider.System;
var runStarted = time.GetTimestamp();
var runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
var nodeName = $"bench-{runId}";

void Progress(string line) => BenchMain.Progress(line);

using var dockerConfig = new DockerClientConfiguration(new Uri(DockerRuntimeOptions.DefaultEndpoint()));
using var docker = dockerConfig.CreateClient();
var baseline = new DockerBaseline(docker, runId, time);
ChasDevProcess? dev = null;
try
{
    var engine = await docker.System.GetSystemInfoAsync(ct);
    Console.Out.WriteLine($"machine: {Environment.ProcessorCount} cores, {engine.MemTotal / (1L << 30)} GiB; docker {engine.ServerVersion} ({engine.Driver}, cgroup v{engine.CgroupVersion})");
    Console.Out.WriteLine($"samples: {options.Samples} per side after {options.Warmup} warm-up, {(options.Interleave ? "interleaved" : "docker series first")}; " +
        $"image {BenchOptions.Image}, command '{string.Join(' ', BenchOptions.Command)}'");

    await BusyboxImage.ImportAsync(docker, BenchOptions.Image, ct);
    Progress($"imported {BenchOptions.Image}");

    // Started before the baseline so that both series run beside the same CHaS process (heartbeats, watches).
    var devStarted = time.GetTimestamp();
    // The port range lies apart from chas dev's default one and from the tests' (31000-31999); the containers its
    // agent leaves behind are removed by label below, with the baseline's.
    dev = await ChasDevProcess.StartAsync(new ChasDevSettings
    {
        NodeName = nodeName,
        PortRange = (32000, 32999),
        ImportBusybox = false,
        RemoveContainersOnDispose = false,
        StartDeadline = TimeSpan.FromSeconds(60),
        TempPrefix = "chas-bench-",
        Process = new ChasProcessOptions { Executable = options.ChasPath, Echo = options.Verbose },
    });
    var client = dev.Client;
    Progress(string.Create(CultureInfo.InvariantCulture,
        $"chas dev ready at {dev.Url} (node {nodeName}) after {time.GetElapsedTime(devStarted).TotalSeconds:0.0} s"));

    // One watcher for the whole run, as a user's `chas ps --watch` would hold it.
    await using var watcher = await TaskWatcher.StartAsync(client, time, ct);
    var chas = new ChasSubmissions(client, watcher, docker, time);
    try
    {
        var (dockerSamples, chasSamples) = await new SampleOrder(options, baseline, chas, Progress).RunAsync(ct);
        Report.Write(Console.Out, dockerSamples, chasSamples);
    }
    finally
    {
        // `chas rm -f` for each task, untimed. What the agent has not removed when chas dev stops is removed below.
        try
        {
            await chas.DeleteAllAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is HttpRequestException or ChasApiException)
        {
            Console.Error.WriteLine($"warning: deleting the tasks failed: {ex.Message}");
        }
    }
    return 0;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Progress("interrupted");
    return 130;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    if (options.Verbose) Console.Error.WriteLine(ex);
    return 1;
}
finally
{
    if (dev is not null) await dev.DisposeAsync();
    try
    {
        await DockerBaseline.RemoveLabelledAsync(docker, "io.chas.node", nodeName, CancellationToken.None);
        await baseline.RemoveAllAsync(CancellationToken.None);
    }
    catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException)
    {
        Console.Error.WriteLine($"warning: removing containers failed: {ex.Message}");
    }
    Progress(string.Create(CultureInfo.InvariantCulture, $"cleaned up; the run took {time.GetElapsedTime(runStarted).TotalSeconds:0.0} s"));
}
