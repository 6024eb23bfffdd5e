using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;
using Chas.Runtime;

namespace Chas.EndToEnd.Tests;

/// <summary>A second node from an extra `chas agent`: spreading, losing the node, and fencing when it comes back.</summary>
public sealed class MultiNodeTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task Work_spreads_over_two_nodes_and_a_silent_node_loses_its_tasks_which_are_fenced_when_it_returns()
    {
        // Not 2 s: the built-in agent of `chas dev` heartbeats every 2 s and has no option to change that, so with a
        // 2 s timeout any heartbeat a few milliseconds late makes the built-in node notready and loses its tasks.
        var dev = await StartDevAsync("--heartbeat-timeout", "3s");
        // The extra agent heartbeats well inside the 2 s timeout, and offers as much as the built-in node (the engine's cores),
        // so that the two nodes are equal and only the load decides.
        var capacity = (await dev.Client.GetNodeAsync(dev.NodeName)).Capacity;
        await using var agent = await AgentProcess.StartAsync(dev, $"e2e-b-{Guid.NewGuid().ToString("N")[..6]}",
            "--heartbeat-interval", "500ms", "--cpu", $"{capacity.CpuMillis}m", "--memory", capacity.MemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var nodes = await dev.Cli.ListNodesAsync();
        Assert.Equal(new[] { dev.NodeName, agent.NodeName }.Order(StringComparer.Ordinal), nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
        Assert.All(nodes, n => Assert.Equal("ready", n.Status));

        // Each task takes a quarter of a node's CPU; the least loaded node gets the next one.
        var cpu = $"{capacity.CpuMillis / 4}m";
        string[] names = ["spread-1", "spread-2", "spread-3", "spread-4"];
        foreach (var name in names)
        {
            await dev.RunTaskAsync(name, ["sleep", "300"], "--cpu", cpu);
            await dev.WaitForStatusAsync(name, TaskPhase.Running);
        }
        var placed = (await dev.Cli.ListAllTasksAsync()).Where(t => names.Contains(t.Name)).ToList();
        Assert.Equal(2, placed.Count(t => t.Node == dev.NodeName));
        Assert.Equal(2, placed.Count(t => t.Node == agent.NodeName));
        var onB = placed.Where(t => t.Node == agent.NodeName).ToList();
        var onDev = placed.Where(t => t.Node == dev.NodeName).ToList();

        await agent.KillAsync();

        await Eventually.WaitAsync(async () => (await dev.Client.GetNodeAsync(agent.NodeName)).Status == NodeStatus.NotReady,
            TimeSpan.FromSeconds(15), $"node '{agent.NodeName}' to become notready after its agent was killed", dev.Diagnostics);
        foreach (var task in onB)
        {
            var lost = await dev.WaitForStatusAsync(task.Name, TaskPhase.Lost, TimeSpan.FromSeconds(10));
            Assert.Contains(agent.NodeName, lost.Error);
        }
        var listedNode = Assert.Single(await dev.Cli.ListNodesAsync(), n => n.Name == agent.NodeName);
        Assert.Equal("notready", listedNode.Status);
        // The node's containers outlive its agent: the engine still runs them, which is why fencing is needed.
        foreach (var task in onB)
            Assert.Equal(ContainerState.Running, (await DockerEngine.InspectAsync(task.ContainerId!))?.State);
        // The built-in node kept heartbeating: its tasks are untouched.
        foreach (var task in onDev)
            Assert.Equal(TaskPhase.Running, (await dev.Client.GetTaskAsync(task.Name)).Status);

        await agent.RestartAsync();

        Assert.Equal("ready", Assert.Single(await dev.Cli.ListNodesAsync(), n => n.Name == agent.NodeName).Status);
        foreach (var task in onB)
        {
            await Eventually.WaitAsync(async () => (await DockerEngine.InspectAsync(task.ContainerId!))?.State != ContainerState.Running,
                TimeSpan.FromSeconds(30), $"the container of lost task '{task.Name}' to be stopped by the returning agent", dev.Diagnostics);
            Assert.Equal(TaskPhase.Lost, (await dev.Client.GetTaskAsync(task.Name)).Status);
        }
    }
}
