using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>Deployments on three equal nodes: spreading the replicas, scaling, and a rolling update that never drops below the replica count.</summary>
public sealed class DeploymentTests(ITestOutputHelper output) : EndToEndTest(output)
{
    /// <summary>A small request, so that the nodes' equal capacity (not only their instance counts) is what spreading weighs.</summary>
    private static readonly string[] Resources = ["--cpu", "250m", "--memory", "32Mi"];

    [Fact]
    public async Task Three_replicas_land_one_per_node_and_all_become_ready()
    {
        var cluster = await StartClusterAsync();
        var server = cluster.Server;

        Assert.Equal(1, await server.DeployAsync("web", DeploymentWaits.LongRunning, ["--replicas", "3", .. Resources]));
        await server.WaitForRolloutAsync("web", replicas: 3);

        var deployment = Assert.Single(await server.Cli.ListDeploymentsAsync());
        Assert.Equal("web", deployment.Name);
        Assert.Equal(3, deployment.Replicas);
        Assert.Equal(3, deployment.ReadyReplicas);
        Assert.Equal(1, deployment.Revision);
        Assert.Equal("complete", deployment.RolloutStatus);

        var instances = await server.Cli.ListInstancesAsync("web");
        Assert.Equal(3, instances.Count);
        Assert.All(instances, i =>
        {
            Assert.Equal("running", i.Status);
            Assert.True(i.Ready, i.ToString());
            Assert.Equal("web", i.Deployment);
            Assert.Equal(1, i.Revision);
            Assert.Equal(0, i.RestartCount);
        });
        Assert.Equal(cluster.NodeNames.Order(StringComparer.Ordinal), instances.Select(i => i.Node!).Order(StringComparer.Ordinal));

        // The engine agrees: each node runs exactly the container of its instance.
        var running = await DockerEngine.RunningTasksOfNodesAsync(cluster.NodeNames);
        Assert.Equal(instances.Select(i => (i.Node!, i.Uid)).Order(), running.Order());
    }

    [Fact]
    public async Task Scaling_from_3_to_5_to_2_changes_the_live_instances_and_completes_each_time()
    {
        var cluster = await StartClusterAsync();
        var server = cluster.Server;
        await server.DeployAsync("web", DeploymentWaits.LongRunning, ["--replicas", "3", .. Resources]);
        await server.WaitForRolloutAsync("web", replicas: 3);

        var up = await server.Cli.RunAsync("scale", "web", "5");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Equal("web: 5 replicas\n", up.Stdout);
        await server.WaitForRolloutAsync("web", replicas: 5);
        await AssertListedAsync(cluster, replicas: 5);
        // Spread: the two new instances go to two different nodes.
        var perNode = (await server.Cli.ListInstancesAsync("web")).GroupBy(i => i.Node).Select(g => g.Count()).Order();
        Assert.Equal([1, 2, 2], perNode);

        var down = await server.Cli.RunAsync("scale", "web", "2");
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Equal("web: 2 replicas\n", down.Stdout);
        await server.WaitForRolloutAsync("web", replicas: 2);
        await AssertListedAsync(cluster, replicas: 2);
        // The three stopped instances' containers are gone from the engine, not merely forgotten by the server.
        var live = await server.Cli.ListInstancesAsync("web");
        await Eventually.WaitAsync(
            async () => (await DockerEngine.RunningTasksOfNodesAsync(cluster.NodeNames)).Select(r => r.TaskUid).Order().SequenceEqual(live.Select(i => i.Uid).Order()),
            TimeSpan.FromSeconds(20), "the engine to run the containers of the two remaining instances and no other", server.Diagnostics);
    }

    [Fact]
    public async Task A_rolling_update_makes_a_new_revision_and_never_has_fewer_than_3_ready_instances()
    {
        var cluster = await StartClusterAsync();
        var server = cluster.Server;
        await server.DeployAsync("web", DeploymentWaits.LongRunning, ["--replicas", "3", "-e", "VERSION=1", .. Resources]);
        await server.WaitForRolloutAsync("web", replicas: 3);
        var before = await server.Cli.ListInstancesAsync("web");

        // Every state the server passes through during the update, as its watch stream reports it.
        await using var watcher = await TaskWatcher.StartAsync(server.Client);
        var gate = new Lock();
        var fewestServing = int.MaxValue;
        var states = 0;
        watcher.Observe(tasks =>
        {
            var serving = tasks.Count(t => t.Deployment == "web" && DeploymentWaits.IsServing(t));
            lock (gate)
            {
                fewestServing = Math.Min(fewestServing, serving);
                states++;
            }
        });

        Assert.Equal(2, await server.DeployAsync("web", DeploymentWaits.LongRunning, ["-e", "VERSION=2", .. Resources]));
        var rollout = await server.Cli.RunAsync(["rollout", "status", "web", "--timeout", "60s"], TimeSpan.FromSeconds(90));
        Assert.True(rollout.ExitCode == 0, rollout.ToString());
        Assert.Equal("web: revision 2 rolled out", rollout.StdoutLines[^1]);

        // Rolled out: three new instances serve; an old one may still be listed, but only on its way out.
        var afterRollout = await server.Cli.ListInstancesAsync("web");
        Assert.Equal(3, afterRollout.Count(i => i is { Status: "running", Ready: true, Revision: 2, StopRequested: false }));
        var leaving = afterRollout.Where(i => i.Revision == 1 && !Ended(i)).ToList();
        Assert.All(leaving, i => Assert.True(i.StopRequested, $"old instance not asked to stop: {i}"));
        Output.WriteLine($"rolling update: when `rollout status` exited, {leaving.Count} old instance(s) were still on their way out: "
            + string.Join("; ", leaving.Select(i => $"{i.Name} {i.Status} ready={i.Ready}")));

        var view = await server.WaitForRolloutAsync("web", replicas: 3, revision: 2, deadline: TimeSpan.FromSeconds(20));
        Assert.All(view.Live, i => Assert.Equal("2", i.Env["VERSION"]));
        Assert.DoesNotContain(view.Live, i => before.Any(b => b.Uid == i.Uid));
        var deployment = Assert.Single(await server.Cli.ListDeploymentsAsync());
        Assert.Equal(2, deployment.Revision);
        Assert.Equal(3, deployment.ReadyReplicas);
        Assert.Equal(3, deployment.UpdatedReplicas);
        Assert.Equal("complete", deployment.RolloutStatus);

        int fewest, seen;
        lock (gate) (fewest, seen) = (fewestServing, states);
        Output.WriteLine($"rolling update: {seen} task states observed, fewest ready instances at any moment: {fewest}");
        // Three old instances replaced one by one: at least their creations, readiness and stops were seen.
        Assert.True(seen >= 9, $"only {seen} states observed during the update");
        Assert.True(fewest >= 3, $"ready instances dropped to {fewest} during the rolling update\n{rollout}");
    }

    private static bool Ended(CliTask task) => task.Status is "completed" or "failed" or "stopped" or "lost";

    /// <summary>`chas deployments` and `chas ps --deployment` agree with the rollout the API reported.</summary>
    private static async Task AssertListedAsync(AgentCluster cluster, int replicas)
    {
        var deployment = Assert.Single(await cluster.Server.Cli.ListDeploymentsAsync());
        Assert.Equal(replicas, deployment.Replicas);
        Assert.Equal(replicas, deployment.ReadyReplicas);
        Assert.Equal("complete", deployment.RolloutStatus);
        var live = (await cluster.Server.Cli.ListInstancesAsync("web")).Where(i => !Ended(i)).ToList();
        Assert.Equal(replicas, live.Count);
        Assert.All(live, i => Assert.True(i is { Status: "running", Ready: true }, i.ToString()));
    }
}
