using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;
using Chas.Runtime;

namespace Chas.EndToEnd.Tests;

/// <summary>`chas dev` killed with SIGKILL and started again on the same data directory: nothing is forgotten, nothing restarted.</summary>
public sealed class RestartTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task Ended_tasks_keep_their_status_across_a_crash_and_restart()
    {
        var dev = await StartDevAsync();
        await dev.RunTaskAsync("hello", ["echo", "hi"]);
        await dev.RunTaskAsync("bad", ["sh", "-c", "exit 3"]);
        await dev.WaitForStatusAsync("hello", TaskPhase.Completed);
        await dev.WaitForStatusAsync("bad", TaskPhase.Failed);

        await dev.KillAsync();
        await dev.RestartAsync();

        var tasks = await dev.Cli.ListAllTasksAsync();
        Assert.Collection(tasks.OrderBy(t => t.Name, StringComparer.Ordinal),
            bad =>
            {
                Assert.Equal("bad", bad.Name);
                Assert.Equal("failed", bad.Status);
                Assert.Equal(3, bad.ExitCode);
            },
            hello =>
            {
                Assert.Equal("hello", hello.Name);
                Assert.Equal("completed", hello.Status);
                Assert.Equal(0, hello.ExitCode);
            });
        var node = Assert.Single(await dev.Cli.ListNodesAsync());
        Assert.Equal(dev.NodeName, node.Name);
        Assert.Equal("ready", node.Status);
        var logs = await dev.Cli.RunAsync("logs", "hello");
        Assert.Equal("hi\n", logs.Stdout);
    }

    [Fact]
    public async Task A_running_container_is_adopted_after_a_crash_not_restarted_and_can_then_be_stopped()
    {
        var dev = await StartDevAsync();
        await dev.RunTaskAsync("sleeper", ["sleep", "300"]);
        var before = await dev.WaitForStatusAsync("sleeper", TaskPhase.Running);
        var containerBefore = await DockerEngine.InspectAsync(before.ContainerId!);
        Assert.NotNull(containerBefore);
        Assert.Equal(ContainerState.Running, containerBefore.State);

        await dev.KillAsync();
        await dev.RestartAsync(); // returns once the new agent has reconciled and sent a heartbeat

        var after = Assert.Single(await dev.Cli.ListAllTasksAsync(), t => t.Name == "sleeper");
        Assert.Equal("running", after.Status);
        Assert.Equal(before.ContainerId, after.ContainerId);
        var container = Assert.Single(await DockerEngine.ContainersOfTaskAsync(before.Uid));
        Assert.Equal(before.ContainerId, container.Id);
        Assert.Equal(ContainerState.Running, container.State);
        Assert.Equal(containerBefore.StartedAt, container.StartedAt);

        var stop = await dev.Cli.RunAsync("stop", "sleeper");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        var stopped = await dev.WaitForStatusAsync("sleeper", TaskPhase.Stopped, TimeSpan.FromSeconds(20));
        Assert.Equal(before.ContainerId, stopped.ContainerId);
    }
}
