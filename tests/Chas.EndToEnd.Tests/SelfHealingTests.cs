using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;
using Chas.Runtime;

namespace Chas.EndToEnd.Tests;

/// <summary>A deployment keeps its instances: through a lost node, a crashing container and a drained node.</summary>
public sealed partial class SelfHealingTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task A_killed_node_is_replaced_on_the_others_and_fenced_when_its_agent_returns()
    {
        // 3 s: a silent node is noticed quickly. The agents heartbeat every 500 ms, so a late heartbeat does not flap a node.
        var cluster = await StartClusterAsync(serverArgs: ["--heartbeat-timeout", "3s"]);
        var server = cluster.Server;
        await server.DeployAsync("web", DeploymentWaits.LongRunning, "--replicas", "3");
        await server.WaitForRolloutAsync("web", replicas: 3);
        var victim = cluster.Agents[1];
        var lostInstance = Assert.Single(await server.Cli.ListInstancesAsync("web"), i => i.Node == victim.NodeName);

        await using var watcher = await TaskWatcher.StartAsync(server.Client);
        var clock = Stopwatch.StartNew();
        await victim.KillAsync();
        var healed = await watcher.WaitAsync(
            tasks => tasks.LiveInstances("web") is { Count: 3 } live && live.All(i => DeploymentWaits.IsServing(i) && i.Node != victim.NodeName),
            TimeSpan.FromSeconds(30), $"3 ready instances of 'web' on the nodes other than {victim.NodeName}", server.Diagnostics);
        var seconds = clock.Elapsed.TotalSeconds;
        Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"node loss: {seconds:0.00} s from SIGKILL of agent '{victim.NodeName}' to 3 ready instances on the other two nodes (heartbeat timeout 3 s)"));

        Assert.Equal(NodeStatus.NotReady, (await server.Client.GetNodeAsync(victim.NodeName)).Status);
        Assert.DoesNotContain(healed, t => t.Uid == lostInstance.Uid && !t.Status.IsTerminal());
        Assert.Equal(2, healed.LiveInstances("web").Select(i => i.Node).Distinct().Count());
        // The silent node's container outlived its agent: only the agent can stop it, which is why it must fence on return.
        Assert.Contains(await DockerEngine.ContainersOfTaskAsync(lostInstance.Uid), c => c.State == ContainerState.Running);

        await victim.RestartAsync(); // returns once the new agent has reconciled (fenced) and heartbeated

        var node = Assert.Single(await server.Cli.ListNodesAsync(), n => n.Name == victim.NodeName);
        Assert.Equal("ready", node.Status);
        Assert.DoesNotContain(await DockerEngine.ContainersOfTaskAsync(lostInstance.Uid), c => c.State == ContainerState.Running);
        var live = (await server.Cli.ListInstancesAsync("web")).Where(i => i.Status is not ("completed" or "failed" or "stopped" or "lost")).ToList();
        Assert.Equal(3, live.Count);
        Assert.All(live, i => Assert.True(i is { Status: "running", Ready: true }, i.ToString()));
        // Exactly the three live instances run, on the nodes the server gave them: nothing stale on the returned node.
        var running = await DockerEngine.RunningTasksOfNodesAsync(cluster.NodeNames);
        Assert.Equal(live.Select(i => (i.Node!, i.Uid)).Order(), running.Order());
        var deployment = Assert.Single(await server.Cli.ListDeploymentsAsync());
        Assert.Equal(3, deployment.ReadyReplicas);
        Assert.Equal("complete", deployment.RolloutStatus);
    }

    [Fact]
    public async Task A_crashing_instance_is_restarted_in_place_with_a_growing_back_off()
    {
        // One node is enough; the cap makes the third delay the cap, not 4 s, and keeps the test short.
        var cluster = await StartClusterAsync(agents: 1, agentArgs: ["--restart-backoff-max", "2s"]);
        var server = cluster.Server;
        await using var watcher = await TaskWatcher.StartAsync(server.Client);
        var clock = Stopwatch.StartNew();
        var timeline = new List<(TimeSpan At, TaskResource Instance)>();
        watcher.Observe(tasks =>
        {
            if (tasks.SingleOrDefault(t => t.Deployment == "crashy") is not { } instance) return;
            lock (timeline)
            {
                if (timeline.Count == 0 || timeline[^1].Instance.ResourceVersion != instance.ResourceVersion) timeline.Add((clock.Elapsed, instance));
            }
        });

        await server.DeployAsync("crashy", ["sh", "-c", "echo boom; exit 1"]);
        var looping = await watcher.WaitAsync(tasks => tasks.SingleOrDefault(t => t.Deployment == "crashy") is { RestartCount: >= 3 },
            TimeSpan.FromSeconds(30), "the instance of 'crashy' to be restarted 3 times", server.Diagnostics);

        List<(TimeSpan At, TaskResource Instance)> seen;
        lock (timeline) seen = [.. timeline];
        var instance = Assert.Single(looping, t => t.Deployment == "crashy");
        Assert.All(seen, s => Assert.Equal(instance.Uid, s.Instance.Uid)); // restarted in place: the same instance throughout
        Assert.Equal(cluster.Agents[0].NodeName, instance.Node);

        // Each restart is announced while the instance waits in `starting`: "crash-loop back-off: restart N in Xs (exited with code 1)".
        var announced = new List<(int Restart, double DelaySeconds, TimeSpan At)>();
        foreach (var (at, t) in seen.Where(s => s.Instance.Status == TaskPhase.Starting && s.Instance.Reason is not null))
        {
            var match = BackOffReason().Match(t.Reason!);
            if (!match.Success) continue;
            Assert.Contains("crash-loop back-off", t.Reason, StringComparison.Ordinal);
            Assert.Contains("exited with code 1", t.Reason, StringComparison.Ordinal);
            var restart = int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            Assert.Equal(restart, t.RestartCount);
            if (announced.Count == 0 || announced[^1].Restart != restart)
                announced.Add((restart, double.Parse(match.Groups["s"].Value, CultureInfo.InvariantCulture), at));
        }
        Output.WriteLine("back-off: " + string.Join(", ", announced.Select(a => string.Create(CultureInfo.InvariantCulture,
            $"restart {a.Restart} announced at {a.At.TotalSeconds:0.00} s, delay {a.DelaySeconds:0.#} s"))));
        Assert.Equal([1, 2, 3], announced.Select(a => a.Restart).Take(3));
        // Doubling from 1 s, then held at --restart-backoff-max.
        Assert.Equal([1.0, 2.0, 2.0], announced.Select(a => a.DelaySeconds).Take(3));
        // The agent really waits: the next crash is reported no sooner than the announced delay after the previous one.
        for (var i = 1; i < 3; i++)
        {
            var interval = (announced[i].At - announced[i - 1].At).TotalSeconds;
            Assert.True(interval >= announced[i - 1].DelaySeconds - 0.25,
                $"restart {announced[i].Restart} came {interval:0.00} s after restart {announced[i - 1].Restart}, announced {announced[i - 1].DelaySeconds} s");
        }

        var listed = Assert.Single(await server.Cli.ListInstancesAsync("crashy"));
        Assert.True(listed.RestartCount >= 3, listed.ToString());
        Assert.True(listed.Status is "starting" or "running", listed.ToString());
        Assert.False(listed.Ready);
        var logs = await server.Cli.RunAsync("logs", listed.Name);
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Contains("boom", logs.StdoutLines);
    }

    [Fact]
    public async Task Draining_a_node_moves_its_instance_elsewhere_before_stopping_it_and_uncordon_makes_it_schedulable()
    {
        var cluster = await StartClusterAsync();
        var server = cluster.Server;
        await server.DeployAsync("web", DeploymentWaits.LongRunning, "--replicas", "3");
        await server.WaitForRolloutAsync("web", replicas: 3);
        var drained = cluster.Agents[0].NodeName;
        var moved = Assert.Single(await server.Cli.ListInstancesAsync("web"), i => i.Node == drained);

        await using var watcher = await TaskWatcher.StartAsync(server.Client);
        var gate = new Lock();
        var fewestServing = int.MaxValue;
        watcher.Observe(tasks =>
        {
            var serving = tasks.Count(t => t.Deployment == "web" && DeploymentWaits.IsServing(t));
            lock (gate) fewestServing = Math.Min(fewestServing, serving);
        });

        var drain = await server.Cli.RunAsync(["node", "drain", drained, "--wait", "--timeout", "60s"], TimeSpan.FromSeconds(90));
        Assert.True(drain.ExitCode == 0, drain.ToString());
        Assert.Equal(drained, drain.StdoutLines[0]);
        Assert.Equal($"{drained}: drained", drain.StdoutLines[^1]);

        // Drained: no instance of the node still runs there, in the server's view or in the engine.
        Assert.DoesNotContain(await server.Cli.ListInstancesAsync("web"), i => i.Node == drained && i.Status is "running" or "starting" or "stopping");
        Assert.DoesNotContain(await DockerEngine.ContainersOfTaskAsync(moved.Uid), c => c.State == ContainerState.Running);
        Assert.Empty(await DockerEngine.RunningTasksOfNodesAsync([drained]));
        var view = await server.WaitForRolloutAsync("web", replicas: 3, deadline: TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(view.Live, i => i.Node == drained);
        lock (gate) Assert.True(fewestServing >= 3, $"ready instances dropped to {fewestServing} during the drain");
        var node = Assert.Single(await server.Cli.ListNodesAsync(), n => n.Name == drained);
        Assert.True(node is { Status: "ready", Unschedulable: true, Draining: true }, node.ToString());

        var uncordon = await server.Cli.RunAsync("node", "uncordon", drained);
        Assert.True(uncordon.ExitCode == 0, uncordon.ToString());
        node = Assert.Single(await server.Cli.ListNodesAsync(), n => n.Name == drained);
        Assert.True(node is { Status: "ready", Unschedulable: false, Draining: false }, node.ToString());
        // Schedulable again: the next instance goes to the node that has none.
        var scale = await server.Cli.RunAsync("scale", "web", "4");
        Assert.True(scale.ExitCode == 0, scale.ToString());
        view = await server.WaitForRolloutAsync("web", replicas: 4);
        Assert.Single(view.Live, i => i.Node == drained);
    }

    [GeneratedRegex(@"restart (?<n>\d+) in (?<s>\d+(\.\d+)?)s")]
    private static partial Regex BackOffReason();
}
