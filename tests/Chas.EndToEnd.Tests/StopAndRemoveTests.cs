using System.Diagnostics;
using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

public sealed class StopAndRemoveTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    /// <summary>The agent's stop grace period (SIGTERM, then SIGKILL), as `chas stop --help` states it.</summary>
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(10);
    /// <summary>Time for the watch, the engine and the status report around the grace period.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Stop_ends_a_running_task_as_stopped_within_the_grace_period()
    {
        await Dev.RunTaskAsync("stop-me", ["sleep", "300"]);
        var running = await Dev.WaitForStatusAsync("stop-me", TaskPhase.Running);

        var clock = Stopwatch.StartNew();
        var stop = await Dev.Cli.RunAsync("stop", "stop-me");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal("stop-me\n", stop.Stdout);

        // `sleep` as PID 1 ignores SIGTERM, so this takes the whole grace period and ends with SIGKILL.
        var stopped = await Dev.WaitForStatusAsync("stop-me", TaskPhase.Stopped, GracePeriod + Slack);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, GracePeriod + Slack);
        Assert.Equal(running.ContainerId, stopped.ContainerId);
        var container = await DockerEngine.InspectAsync(running.ContainerId!);
        Assert.NotNull(container);
        Assert.NotEqual(Chas.Runtime.ContainerState.Running, container.State);
        Assert.Equal("stopped", Assert.Single(await Dev.Cli.ListAllTasksAsync(), t => t.Name == "stop-me").Status);
    }

    [Fact]
    public async Task Rm_refuses_a_running_task_without_force_and_rm_force_removes_it_and_its_container()
    {
        await Dev.RunTaskAsync("remove-me", ["sleep", "300"]);
        var running = await Dev.WaitForStatusAsync("remove-me", TaskPhase.Running);

        var refused = await Dev.Cli.RunAsync("rm", "remove-me");
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Equal("", refused.Stdout);
        var error = Assert.Single(refused.StderrLines);
        Assert.StartsWith("error:", error);
        Assert.Contains("chas stop remove-me", error);
        Assert.Matches(@"chas rm (-f|--force) remove-me", error);
        Assert.Equal("running", Assert.Single(await Dev.Cli.ListAllTasksAsync(), t => t.Name == "remove-me").Status);

        var forced = await Dev.Cli.RunAsync("rm", "-f", "remove-me");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal("remove-me\n", forced.Stdout);
        Assert.DoesNotContain(await Dev.Cli.ListAllTasksAsync(), t => t.Name == "remove-me");
        await Eventually.WaitAsync(async () => (await DockerEngine.ContainersOfTaskAsync(running.Uid)).Count == 0,
            TimeSpan.FromSeconds(20), $"the container of removed task 'remove-me' ({running.ContainerId}) to be gone from the engine", Dev.Diagnostics);
    }
}
