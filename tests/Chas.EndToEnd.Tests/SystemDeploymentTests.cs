using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>A system deployment on three real agents with real containers: one per node, upgraded node by node, gone from a cordoned node.</summary>
public sealed class SystemDeploymentTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task One_container_per_node_upgraded_one_node_at_a_time_and_removed_from_a_cordoned_node()
    {
        var cluster = await StartClusterAsync();
        var server = cluster.Server;
        Assert.Equal(1, await server.DeployAsync("agent-sidecar", DeploymentWaits.LongRunning, ["--mode", "system", "-e", "VERSION=1", "--cpu", "100m"]));
        var first = await server.WaitForRolloutAsync("agent-sidecar", replicas: 3);
        Assert.Equal(cluster.NodeNames.Order(StringComparer.Ordinal), first.Live.Select(i => i.Node!).Order(StringComparer.Ordinal));
        Assert.All(first.Live, i => Assert.Equal(i.Node, i.PinnedNode));
        // The engine agrees: each node runs exactly the container of its instance.
        Assert.Equal(first.Live.Select(i => (i.Node!, i.Uid)).Order(), (await DockerEngine.RunningTasksOfNodesAsync(cluster.NodeNames)).Order());
        var listed = Assert.Single(await server.Cli.ListDeploymentsAsync());
        Assert.Equal(("system", 3), (listed.Mode, listed.Replicas));

        await using var watcher = await TaskWatcher.StartAsync(server.Client);
        var gate = new Lock();
        var mostNodesOut = 0;
        watcher.Observe(tasks =>
        {
            var serving = tasks.Where(t => t.Deployment == "agent-sidecar" && DeploymentWaits.IsServing(t)).Select(t => t.Node).Distinct().Count();
            lock (gate) mostNodesOut = Math.Max(mostNodesOut, 3 - serving);
        });
        Assert.Equal(2, await server.DeployAsync("agent-sidecar", DeploymentWaits.LongRunning, ["-e", "VERSION=2", "--cpu", "100m"]));
        var second = await server.WaitForRolloutAsync("agent-sidecar", replicas: 3, revision: 2);
        Assert.All(second.Live, i => Assert.Equal("2", i.Env["VERSION"]));
        Assert.Equal(cluster.NodeNames.Order(StringComparer.Ordinal), second.Live.Select(i => i.Node!).Order(StringComparer.Ordinal));
        int worst;
        lock (gate) worst = mostNodesOut;
        Assert.True(worst <= 1, $"{worst} nodes had no serving instance at once (max unavailable 1)");

        var cordoned = cluster.NodeNames[0];
        var cordon = await server.Cli.RunAsync("node", "cordon", cordoned);
        Assert.True(cordon.ExitCode == 0, cordon.ToString());
        await Eventually.WaitAsync(
            async () => (await DockerEngine.RunningTasksOfNodesAsync(cluster.NodeNames)).Select(r => r.Node).Order(StringComparer.Ordinal)
                .SequenceEqual(cluster.NodeNames.Where(n => n != cordoned).Order(StringComparer.Ordinal)),
            TimeSpan.FromSeconds(30), $"the container on cordoned node {cordoned} to be removed and the other two kept", server.Diagnostics);
    }
}
