using Chas.Contracts;

namespace Chas.Faults.Tests;

/// <summary>
/// SIGSTOP of an agent (a partition: the node falls silent, its containers run on) in a cluster of three servers
/// on PostgreSQL whose agents know every server; then SIGCONT. MultiNodeTests covers a killed node's plain tasks
/// on one server; this is the deployment's view: replaced elsewhere, and the stale copies fenced off on return.
/// </summary>
public sealed class AgentPartitionTests(ITestOutputHelper output) : FaultTest(output)
{
    [Fact]
    public async Task A_paused_agents_instances_are_replaced_elsewhere_and_its_stale_copies_stopped_when_it_resumes()
    {
        var cluster = await StartClusterAsync(agents: 2, "--heartbeat-timeout", "3s");
        var nodes = cluster.Agents.Select(a => a.NodeName).ToList();
        await cluster.Client.ApplyDeploymentAsync(Deployment("partitioned", 3));
        var before = await WaitForRunningInstancesAsync(cluster.Client, "partitioned", 3, TimeSpan.FromSeconds(60));
        // The node with the most instances is cut off; spreading put at least one on each.
        var cut = cluster.Agents.OrderByDescending(a => before.Count(t => t.Node == a.NodeName)).First();
        var other = cluster.Agents.Single(a => a != cut);
        var stale = before.Where(t => t.Node == cut.NodeName).Select(t => t.Uid).ToList();
        Assert.NotEmpty(stale);

        var clock = StartClock();
        cut.Pause();
        var replaced = await WaitForRunningInstancesAsync(cluster.Client, "partitioned", 3, TimeSpan.FromSeconds(45),
            live => live.All(t => t.Node == other.NodeName));
        var replacedAfter = clock.Elapsed;
        Assert.Empty(replaced.Select(t => t.Uid).Intersect(stale));
        // The cut-off instances count as lost: ended, or already forgotten by their deployment.
        var listed = (await cluster.Client.ListTasksAsync()).Items;
        Assert.All(stale, uid => Assert.True(listed.SingleOrDefault(t => t.Uid == uid)?.Status.IsTerminal() ?? true, $"instance {uid} still counts as live"));
        Report("SIGSTOP agent", $"{stale.Count} instance(s) replaced on the other node", "3 running elsewhere", replacedAfter);

        var resumed = StartClock();
        cut.Resume();
        var wanted = replaced.Select(t => t.Uid).Order(StringComparer.Ordinal).ToList();
        // The engine ends where the API is: exactly the three live instances run, the stale copies are stopped.
        await Eventually.GetAsync(() => RunningContainerUidsAsync(nodes), running => running.Order(StringComparer.Ordinal).SequenceEqual(wanted),
            TimeSpan.FromSeconds(45), $"exactly the instances {string.Join(", ", wanted)} to run in the engine", cluster.Diagnostics);
        var settled = resumed.Elapsed;
        var live = await WaitForRunningInstancesAsync(cluster.Client, "partitioned", 3, TimeSpan.FromSeconds(15));
        Assert.Equal(wanted, live.Select(t => t.Uid).Order(StringComparer.Ordinal));
        Assert.Equal(NodeStatus.Ready, (await Eventually.GetAsync(() => cluster.Client.GetNodeAsync(cut.NodeName), n => n.Status == NodeStatus.Ready,
            TimeSpan.FromSeconds(15), $"node '{cut.NodeName}' to be ready again", cluster.Diagnostics)).Status);
        Report("SIGCONT agent", "stale copies stopped", "exactly 3 running (API and engine)", settled);
    }
}
