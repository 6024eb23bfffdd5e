using Chas.Contracts;

namespace Chas.Server.Tests;

public sealed class HeartbeatTests
{
    [Fact]
    public async Task A_silent_node_becomes_notready_its_work_is_lost_and_it_recovers_with_a_heartbeat()
    {
        await using var server = await TestServer.StartAsync(heartbeatTimeout: TimeSpan.FromMilliseconds(600));
        await server.AddReadyNodeAsync("n1");
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "work", Image = "x" });
        var task = await Eventually.WaitAsync(() => server.Admin.GetTaskAsync("work"), t => t.Status == TaskPhase.Scheduled, "scheduled");
        await server.Node.ReportTaskStatusAsync("work", task.Namespace, new TaskStatusReport { Status = TaskPhase.Running, Node = "n1", Uid = task.Uid, ContainerId = "c1" });

        // No more heartbeats from here on.
        var node = await Eventually.WaitAsync(() => server.Admin.GetNodeAsync("n1"), n => n.Status == NodeStatus.NotReady, "node notready");
        Assert.StartsWith("no heartbeat for", node.Reason, StringComparison.Ordinal);
        var lost = await Eventually.WaitAsync(() => server.Admin.GetTaskAsync("work"), t => t.Status == TaskPhase.Lost, "task lost");
        Assert.Equal("node 'n1' stopped sending heartbeats", lost.Error);

        var back = await server.Node.HeartbeatAsync("n1", new HeartbeatRequest());
        Assert.Equal(NodeStatus.Ready, back.Status);
        Assert.Null(back.Reason);
        Assert.Equal(TaskPhase.Lost, (await server.Admin.GetTaskAsync("work")).Status);
    }

    [Fact]
    public async Task A_node_heartbeating_regularly_stays_ready()
    {
        // Heartbeats every 100 ms against a 2 s timeout: a busy test machine must not make it flap.
        await using var server = await TestServer.StartAsync(heartbeatTimeout: TimeSpan.FromSeconds(2));
        await server.AddReadyNodeAsync("steady");
        var until = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < until)
        {
            var node = await server.Node.HeartbeatAsync("steady", new HeartbeatRequest());
            Assert.Equal(NodeStatus.Ready, node.Status);
            await Task.Delay(100);
        }
        Assert.Equal(NodeStatus.Ready, (await server.Admin.GetNodeAsync("steady")).Status);
    }

    [Fact]
    public async Task A_heartbeat_from_an_unknown_node_is_404_so_the_agent_registers_again()
    {
        await using var server = await TestServer.StartAsync();
        var ex = await Assert.ThrowsAsync<Chas.Client.ChasApiException>(() => server.Node.HeartbeatAsync("ghost", new HeartbeatRequest()));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.Status);
    }
}
