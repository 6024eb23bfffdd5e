using System.Diagnostics;
using System.Text;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>
/// `chas events` through a deployment's life on the real engine. The offline busybox image is always
/// local, so its Pulled event says the image "is present" (the runtime does not tell a download from
/// a local hit; Pulled means "the image is there now").
/// </summary>
public sealed class EventsTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    private sealed record CliEvent(string Type, string Reason, string Kind, string Name, string? Deployment, string Message, int Count);

    private async Task<IReadOnlyList<CliEvent>> EventsAsync(string name)
    {
        var result = await Dev.Cli.RunAsync("events", name, "-o", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return CliJson.Parse<List<CliEvent>>(result);
    }

    [Fact]
    public async Task A_deployments_life_shows_Scheduled_Pulled_Started_Ready_and_after_scaling_to_zero_Killed_also_to_a_running_watch()
    {
        await Dev.DeployAsync("evweb", DeploymentWaits.LongRunning, "--replicas", "1");
        await Dev.WaitForRolloutAsync("evweb", replicas: 1);

        var events = await Eventually.GetAsync(() => EventsAsync("evweb"),
            e => e.Any(x => x.Reason == "RolloutComplete") && e.Any(x => x.Reason == "Pulled"), TimeSpan.FromSeconds(20), "the rollout's events", Dev.Diagnostics);
        string[] life = ["Scheduled", "Pulled", "Started", "Ready"];
        foreach (var reason in life)
            Assert.True(events.Any(e => e.Reason == reason && e.Kind == "task" && e.Deployment == "evweb"), $"no {reason}: {Describe(events)}");
        Assert.Contains("is present", events.First(e => e.Reason == "Pulled").Message, StringComparison.Ordinal);
        // In the order they happened: the list is oldest first.
        var order = life.Select(r => events.ToList().FindIndex(e => e.Reason == r)).ToList();
        Assert.True(order.SequenceEqual(order.Order()), Describe(events));
        Assert.DoesNotContain(events, e => e.Reason == "Killed");

        // A watch started now prints the Killed that scaling to zero causes afterwards.
        await using var watch = WatchProcess.Start(Dev, "events", "evweb", "-w");
        await watch.WaitForLineAsync(l => l.Contains("LAST SEEN", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        var scaled = await Dev.Cli.RunAsync("scale", "evweb", "0");
        Assert.True(scaled.ExitCode == 0, scaled.ToString());
        var killed = await watch.WaitForLineAsync(l => l.Contains("Killed", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("task/evweb-1-", killed, StringComparison.Ordinal);

        var after = await EventsAsync("evweb");
        Assert.Contains(after, e => e.Reason == "Killed" && e.Message.Contains("stopped on request", StringComparison.Ordinal));

        var table = await Dev.Cli.RunAsync("events", "evweb");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("LAST SEEN", table.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("Scheduled", table.Stdout, StringComparison.Ordinal);
        await Dev.Cli.RunAsync("rm", "deployment/evweb");
    }

    private static string Describe(IEnumerable<CliEvent> events) => string.Join("; ", events.Select(e => $"{e.Reason} {e.Kind}/{e.Name}: {e.Message}"));

    /// <summary>A `chas` that runs until stopped (a watch), read line by line.</summary>
    private sealed class WatchProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly StringBuilder _stderr = new();
        private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private WatchProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_lines)
                {
                    _lines.Add(e.Data);
                    _arrived.TrySetResult();
                    _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            };
            _process.ErrorDataReceived += (_, e) => { lock (_stderr) _stderr.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public static WatchProcess Start(ChasDevProcess dev, params string[] args)
        {
            var info = new ProcessStartInfo(RepoPaths.ChasExecutable)
            {
                UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
                WorkingDirectory = RepoPaths.Root, StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (var arg in args) info.ArgumentList.Add(arg);
            ChildEnvironment.Apply(info, dev.CliConfigPath);
            info.Environment["CHAS_SERVER"] = dev.Url.ToString();
            info.Environment["CHAS_TOKEN"] = dev.AdminToken;
            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bin/chas");
            process.StandardInput.Close();
            return new WatchProcess(process);
        }

        public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan deadline)
        {
            var until = DateTime.UtcNow + deadline;
            while (true)
            {
                Task next;
                lock (_lines)
                {
                    if (_lines.FirstOrDefault(match) is { } line) return line;
                    next = _arrived.Task;
                }
                var left = until - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _process.HasExited && !next.IsCompleted)
                {
                    lock (_lines) lock (_stderr)
                        throw new Xunit.Sdk.XunitException($"no such line from the watch (exited: {_process.HasExited})\nstdout:\n{string.Join('\n', _lines)}\nstderr:\n{_stderr}");
                }
                await Task.WhenAny(next, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)));
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
