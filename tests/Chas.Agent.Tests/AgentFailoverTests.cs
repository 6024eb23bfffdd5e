using Chas.Contracts;

namespace Chas.Agent.Tests;

/// <summary>
/// An agent given two servers of one cluster (two in-process servers on one store): when the one it joined
/// dies, its heartbeats and the watch of its assignments move to the other.
/// </summary>
public sealed class AgentFailoverTests
{
    [Fact]
    public async Task When_its_server_dies_the_agent_keeps_its_node_ready_and_runs_work_through_the_other()
    {
        await using var group = await TestServerGroup.StartAsync(2);
        var (first, second) = (group.Servers[0], group.Servers[1]);
        var runtime = new FakeContainerRuntime();
        await using var agent = new TestAgent(first, runtime, [second.Url]);
        await agent.StartAsync();

        await first.StopAbruptlyAsync();
        var killedAt = DateTimeOffset.UtcNow;
        await second.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "after", Image = "img", Command = ["sleep", "60"] });

        var running = await Eventually.WaitAsync(() => second.Admin.GetTaskAsync("after"), t => t.Status == TaskPhase.Running,
            "the task created after the first server died, running on n1", TimeSpan.FromSeconds(20));
        Assert.Equal("n1", running.Node);
        Assert.Single(runtime.Containers);
        // Heartbeats reach the second server: the node's last one is newer than the first server's death.
        await Eventually.WaitAsync(() => second.Admin.GetNodeAsync("n1"), n => n.LastHeartbeat > killedAt && n.Status == NodeStatus.Ready,
            "a heartbeat of n1 through the second server", TimeSpan.FromSeconds(10));
    }
}
