using Chas.Contracts;
using Chas.Runtime;

namespace Chas.Faults.Tests;

/// <summary>kill -9 of an agent holding three instances, started again at once under the same name.</summary>
public sealed class AgentKillTests(ITestOutputHelper output) : FaultTest(output)
{
    [Fact]
    public async Task An_agent_killed_and_started_again_adopts_its_running_containers_without_restarting_or_duplicating_them()
    {
        // "Again at once" must stay inside the heartbeat timeout, and an agent takes several seconds to start on a
        // busy two-core machine: a generous timeout keeps the node ready, so the test sees adoption, not loss.
        var cluster = await StartClusterAsync(agents: 1, "--heartbeat-timeout", "30s");
        var agent = cluster.Agents[0];
        await cluster.Client.ApplyDeploymentAsync(Deployment("adopted", 3));
        var before = await WaitForRunningInstancesAsync(cluster.Client, "adopted", 3, TimeSpan.FromSeconds(60), live => live.All(t => t.ContainerId is not null));
        var started = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        foreach (var task in before) started[task.ContainerId!] = (await DockerEngine.InspectAsync(task.ContainerId!))?.StartedAt;

        var clock = StartClock();
        await agent.RestartAsync();
        var back = clock.Elapsed;

        // Two more heartbeats after the node is ready again: whatever the agent meant to do about its containers is done.
        var readyAt = (await cluster.Client.GetNodeAsync(agent.NodeName)).LastHeartbeat;
        await Eventually.GetAsync(() => cluster.Client.GetNodeAsync(agent.NodeName),
            n => n.LastHeartbeat > readyAt.AddSeconds(0.9), TimeSpan.FromSeconds(15), "two more heartbeats of the restarted agent", cluster.Diagnostics);

        var after = await WaitForRunningInstancesAsync(cluster.Client, "adopted", 3, TimeSpan.FromSeconds(30));
        Assert.Equal(before.Select(t => t.Uid).Order(StringComparer.Ordinal), after.Select(t => t.Uid).Order(StringComparer.Ordinal));
        foreach (var task in after)
        {
            var previous = before.Single(t => t.Uid == task.Uid);
            Assert.Equal(previous.ContainerId, task.ContainerId);
            Assert.Equal(0, task.RestartCount);
            var container = await DockerEngine.InspectAsync(task.ContainerId!);
            Assert.NotNull(container);
            Assert.Equal(ContainerState.Running, container.State);
            Assert.Equal(started[task.ContainerId!], container.StartedAt);
        }
        var containers = await DockerEngine.ContainersOfNodeAsync(agent.NodeName);
        Assert.Equal(3, containers.Count);
        Report("kill -9 agent + start again", "3 containers kept, adopted", "0 restarted, 0 duplicated", back);
    }
}
