using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>The watch stream (resume, `chas ps -w`) and the log filters (--stderr, --since, a deployment's instances together).</summary>
public sealed class WatchAndLogsTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    [Fact]
    public async Task A_watch_resumed_from_its_last_revision_after_a_disconnect_neither_loses_nor_repeats_an_event()
    {
        var start = (await Dev.Client.ListTasksAsync()).Revision;
        var seen = new List<WatchEvent<TaskResource>>();
        var prefix = "resume-" + Guid.NewGuid().ToString("N")[..6];

        // First connection: sees the first task's creation, then the client goes away.
        await Dev.RunTaskAsync(prefix + "-a", ["true"]);
        using (var first = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await foreach (var ev in Dev.Client.WatchTasksAsync(start, ct: first.Token))
            {
                seen.Add(ev);
                if (ev.Object?.Name == prefix + "-a") break; // leaving the loop disconnects
            }
        }
        var resumeFrom = seen[^1].Revision;

        // While nobody watches: more changes.
        await Dev.RunTaskAsync(prefix + "-b", ["true"]);
        await Dev.RunTaskAsync(prefix + "-c", ["true"]);
        await Dev.WaitForStatusAsync(prefix + "-c", TaskPhase.Completed);

        using (var second = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await foreach (var ev in Dev.Client.WatchTasksAsync(resumeFrom, ct: second.Token))
            {
                seen.Add(ev);
                if (ev.Object is { Name: var n, Status: TaskPhase.Completed } && n == prefix + "-c") break;
            }
        }

        var revisions = seen.Select(e => e.Revision).ToList();
        Assert.Equal(revisions.Distinct().Count(), revisions.Count); // nothing twice
        Assert.Equal(revisions.Order().ToList(), revisions);          // in order
        var ours = seen.Where(e => e.Object?.Name.StartsWith(prefix, StringComparison.Ordinal) == true).ToList();
        // Nothing lost: each task's creation and completion came through, across the gap.
        foreach (var name in new[] { "-b", "-c" }.Select(s => prefix + s))
        {
            Assert.Contains(ours, e => e.Object!.Name == name && e.Type == WatchEventTypes.Added);
            Assert.Contains(ours, e => e.Object!.Name == name && e.Object.Status == TaskPhase.Completed);
        }
    }

    [Fact]
    public async Task Ps_watch_prints_a_line_for_a_change_made_after_it_started()
    {
        var name = "ps-watch-" + Guid.NewGuid().ToString("N")[..6];
        var printed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var header = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var watching = Dev.Cli.RunAsync(["ps", "-w"], TimeSpan.FromSeconds(40), line =>
        {
            if (line.StartsWith("NAME", StringComparison.Ordinal)) header.TrySetResult();
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Contains("completed", StringComparison.Ordinal)) printed.TrySetResult(line);
        });
        await header.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await Dev.RunTaskAsync(name, ["echo", "hi"]);

        var line = await printed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(Dev.NodeName, line);
        // `ps -w` runs until interrupted; the runner's timeout ends it, which is expected here.
        await Assert.ThrowsAsync<TimeoutException>(() => watching);
    }

    [Fact]
    public async Task Logs_stderr_shows_only_what_went_to_stderr_and_since_drops_older_lines()
    {
        var name = "streams-" + Guid.NewGuid().ToString("N")[..6];
        await Dev.RunTaskAsync(name, ["sh", "-c", "echo to-stdout; echo to-stderr >&2; sleep 3; echo late-line"]);
        await Dev.WaitForStatusAsync(name, TaskPhase.Completed);

        var stderr = await Dev.Cli.RunAsync("logs", "--stderr", name);
        Assert.True(stderr.ExitCode == 0, stderr.ToString());
        Assert.Equal(["to-stderr"], stderr.StdoutLines);

        // The task ended just now; the last line came about 3 s after the first two.
        var recent = await Dev.Cli.RunAsync("logs", "--since", "2s", name);
        Assert.True(recent.ExitCode == 0, recent.ToString());
        Assert.DoesNotContain("to-stdout", recent.StdoutLines);

        var bad = await Dev.Cli.RunAsync("logs", "--since", "yesterday-ish", name);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--since", bad.Stderr);
    }

    [Fact]
    public async Task A_deployments_logs_interleave_its_instances_each_line_prefixed_with_the_instance_and_inspect_shows_them()
    {
        var name = "logdep-" + Guid.NewGuid().ToString("N")[..6];
        await Dev.DeployAsync(name, ["sh", "-c", "echo hello-from-$HOSTNAME; trap 'exit 0' TERM; sleep 3600 & wait"], "--replicas", "2");
        var view = await Dev.WaitForRolloutAsync(name, replicas: 2);
        var instances = (await Dev.Client.ListTasksAsync()).Items.Where(t => t.Deployment == name && t.Status == TaskPhase.Running).Select(t => t.Name).ToList();
        Assert.Equal(2, instances.Count);

        var logs = await Eventually.GetAsync(() => Dev.Cli.RunAsync("logs", name), r => r.ExitCode == 0 && r.StdoutLines.Count >= 2,
            TimeSpan.FromSeconds(20), "both instances have printed their line", Dev.Diagnostics);
        foreach (var instance in instances)
            Assert.Contains(logs.StdoutLines, l => l.StartsWith($"[{instance}] hello-from-", StringComparison.Ordinal));
        Output.WriteLine(view.ToString());

        // The same deployment, inspected: its rollout, both instances and its recent events.
        var inspect = await Dev.Cli.RunAsync("inspect", "deployment/" + name, "-o", "table");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains("2/2 ready", inspect.Stdout);
        foreach (var instance in instances) Assert.Contains(instance, inspect.Stdout);
        Assert.Contains("Ready", inspect.Stdout);

        var removed = await Dev.Cli.RunAsync("rm", "deployment/" + name);
        Assert.True(removed.ExitCode == 0, removed.ToString());
    }
}
