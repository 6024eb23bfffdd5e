using System.Net;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>`chas node rm`: a machine gone for good leaves the node list, but never a node still answering.</summary>
public sealed class NodeRemovalTests
{
    [Fact]
    public async Task A_ready_node_is_not_removed()
    {
        await using var server = await TestServer.StartAsync(heartbeatTimeout: TimeSpan.FromMinutes(5));
        await server.AddReadyNodeAsync("n1");

        var refused = await Assert.ThrowsAsync<ChasApiException>(() => server.Admin.DeleteNodeAsync("n1"));

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("is ready", refused.Message, StringComparison.Ordinal);
        Assert.Equal(NodeStatus.Ready, (await server.Admin.GetNodeAsync("n1")).Status);
    }

    [Fact]
    public async Task A_dead_node_whose_work_was_lost_is_forgotten_and_its_agent_may_join_again()
    {
        // 2 s of silence makes it notready: time enough for the bind to come first, even on a busy machine.
        await using var server = await TestServer.StartAsync(heartbeatTimeout: TimeSpan.FromSeconds(2));
        await server.AddReadyNodeAsync("n1");
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "work", Image = "x" });
        await Eventually.WaitAsync(() => server.Admin.GetTaskAsync("work"), t => t.Node == "n1", "bound to n1");
        await Eventually.WaitAsync(() => server.Admin.GetTaskAsync("work"), t => t.Status == TaskPhase.Lost, "the silent node's task lost");

        await server.Admin.DeleteNodeAsync("n1");

        var gone = await Assert.ThrowsAsync<ChasApiException>(() => server.Admin.GetNodeAsync("n1"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.DoesNotContain((await server.Admin.ListNodesAsync()).Items, n => n.Name == "n1");
        var forgotten = await Assert.ThrowsAsync<ChasApiException>(() => server.Node.HeartbeatAsync("n1", new HeartbeatRequest()));
        Assert.Equal(HttpStatusCode.NotFound, forgotten.Status); // the agent's cue to register again
        await server.AddReadyNodeAsync("n1");
        Assert.Equal(NodeStatus.Ready, (await server.Admin.GetNodeAsync("n1")).Status);
    }
}
