using System.Net;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>System deployments on a real in-process server with hollow agents: one instance per matching node, kept so.</summary>
public sealed class SystemDeploymentTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> EdgeRole = new() { ["role"] = "edge" };
    private TestServer _server = null!;
    private readonly List<HollowAgent> _agents = [];

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(heartbeatTimeout: TimeSpan.FromSeconds(2));
        foreach (var name in new[] { "a", "b", "c" }) _agents.Add(await HollowAgent.StartAsync(_server, name, labels: EdgeRole));
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents) await agent.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static ApplyDeploymentRequest Edge(string image = "edge:1", long cpuMillis = 100) => new()
    {
        Name = "edge", Mode = DeploymentMode.System, Image = image, CpuMillis = cpuMillis, NodeSelector = EdgeRole,
        Ports = [new PortMapping { ContainerPort = 8080, HostPort = 20080 }],
    };

    private async Task<List<TaskResource>> LiveAsync() =>
        (await _server.Admin.ListTasksAsync()).Items.Where(t => t.Deployment == "edge" && !t.Status.IsTerminal() && !t.StopRequested).ToList();

    private Task<List<TaskResource>> WaitForReadyOnAsync(string[] nodes, string what) =>
        Eventually.WaitAsync(LiveAsync,
            l => l.Count == nodes.Length && l.All(i => i.Ready) && l.Select(i => i.Node!).Order(StringComparer.Ordinal).SequenceEqual(nodes),
            what, TimeSpan.FromSeconds(15));

    [Fact]
    public async Task One_instance_runs_on_each_matching_node_and_follows_nodes_that_join_change_labels_or_are_cordoned()
    {
        await _server.Admin.ApplyDeploymentAsync(Edge());
        var first = await WaitForReadyOnAsync(["a", "b", "c"], "one ready instance on each of a, b, c");
        Assert.All(first, i => Assert.Equal(i.Node, i.PinnedNode));
        var complete = await Eventually.WaitAsync(() => _server.Admin.GetDeploymentAsync("edge"),
            d => d.RolloutStatus == RolloutStates.Complete, "rollout complete", TimeSpan.FromSeconds(15));
        Assert.Equal((DeploymentMode.System, 3, 3), (complete.Mode, complete.Replicas, complete.ReadyReplicas));

        // A worker node does not match; a new edge node does.
        _agents.Add(await HollowAgent.StartAsync(_server, "w", labels: new Dictionary<string, string> { ["role"] = "worker" }));
        _agents.Add(await HollowAgent.StartAsync(_server, "d", labels: EdgeRole));
        await WaitForReadyOnAsync(["a", "b", "c", "d"], "node d joins and gets one");

        // b stops being an edge node; c is cordoned.
        await _server.AddReadyNodeAsync("b", ports: new PortRange(20000, 20999), labels: new Dictionary<string, string> { ["role"] = "worker" });
        await _server.Admin.CordonNodeAsync("c");
        await WaitForReadyOnAsync(["a", "d"], "b (label changed) and c (cordoned) lose theirs");
        await Eventually.WaitAsync(() => _server.Admin.GetDeploymentAsync("edge"), d => d.Replicas == 2, "desired = 2 matching nodes");

        await _server.Admin.UncordonNodeAsync("c");
        await WaitForReadyOnAsync(["a", "c", "d"], "c uncordoned gets one again");
    }

    [Fact]
    public async Task A_failed_instance_is_replaced_on_its_own_node()
    {
        await _server.Admin.ApplyDeploymentAsync(Edge());
        var onB = (await WaitForReadyOnAsync(["a", "b", "c"], "three ready")).Single(i => i.Node == "b");
        await _server.Node.ReportTaskStatusAsync(onB.Name, onB.Namespace,
            new TaskStatusReport { Status = TaskPhase.Failed, Node = "b", Uid = onB.Uid, ExitCode = 1, Error = "crashed for good" });
        var after = await Eventually.WaitAsync(LiveAsync, l => l.Count == 3 && l.All(i => i.Ready) && l.All(i => i.Name != onB.Name),
            "a new instance replaces the failed one", TimeSpan.FromSeconds(15));
        Assert.Single(after, i => i.Node == "b" && i.PinnedNode == "b");
    }

    [Fact]
    public async Task A_rolling_update_goes_one_node_at_a_time_and_never_runs_two_instances_on_a_node()
    {
        await _server.Admin.ApplyDeploymentAsync(Edge());
        await WaitForReadyOnAsync(["a", "b", "c"], "first revision everywhere");
        var list = await _server.Admin.ListTasksAsync();
        var state = list.Items.Where(t => t.Deployment == "edge").ToDictionary(t => t.Name);
        var worstNodesOut = 0;
        var mostOnOneNode = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var observing = Task.Run(async () =>
        {
            await foreach (var ev in _server.Admin.WatchTasksAsync(list.Revision, ct: cts.Token))
            {
                if (ev.Object is not { Deployment: "edge" } t) continue;
                if (ev.Type == WatchEventTypes.Deleted) state.Remove(t.Name); else state[t.Name] = t;
                // Holding the node: anything not yet ended (a stopping instance still has the host port).
                var holding = state.Values.Where(i => !i.Status.IsTerminal() && i.Node is not null).ToList();
                mostOnOneNode = Math.Max(mostOnOneNode, holding.GroupBy(i => i.Node).Max(g => (int?)g.Count()) ?? 0);
                var serving = holding.Where(i => i.Ready && !i.StopRequested).Select(i => i.Node).Distinct().Count();
                worstNodesOut = Math.Max(worstNodesOut, 3 - serving);
                var live = holding.Where(i => !i.StopRequested).ToList();
                if (live.Count == 3 && live.All(i => i.Revision == 2 && i.Ready)) return;
            }
        }, cts.Token);

        var updated = await _server.Admin.ApplyDeploymentAsync(Edge(image: "edge:2"));
        Assert.Equal(2, updated.Revision);
        await observing;
        Assert.True(worstNodesOut <= 1, $"{worstNodesOut} nodes without a ready instance at once (max unavailable 1)");
        Assert.Equal(1, mostOnOneNode);
        var done = await Eventually.WaitAsync(() => _server.Admin.GetDeploymentAsync("edge"),
            d => d.RolloutStatus == RolloutStates.Complete && d.Revision == 2, "second rollout complete", TimeSpan.FromSeconds(15));
        Assert.Equal(3, done.UpdatedReplicas);
        Assert.All(await LiveAsync(), i => Assert.Equal("edge:2", i.Image));
    }

    [Fact]
    public async Task A_node_without_room_keeps_its_instance_pending_with_the_schedulers_reason()
    {
        _agents.Add(await HollowAgent.StartAsync(_server, "small", cpuMillis: 200, labels: EdgeRole));
        await _server.Admin.ApplyDeploymentAsync(Edge(cpuMillis: 500));
        var pending = await Eventually.WaitAsync(async () => (await LiveAsync()).SingleOrDefault(i => i.PinnedNode == "small"),
            i => i is { Status: TaskPhase.Pending, Reason: not null } && i.Reason.Contains("insufficient cpu", StringComparison.Ordinal),
            "the instance on the small node waits, saying why", TimeSpan.FromSeconds(15));
        await Eventually.WaitAsync(LiveAsync, l => l.Count(i => i.Ready) == 3, "the other three run", TimeSpan.FromSeconds(15));
        var events = await _server.Admin.ListEventsAsync(name: pending!.Name);
        Assert.Contains(events.Items, e => e.Reason == EventReasons.FailedScheduling && e.Message.Contains("insufficient cpu", StringComparison.Ordinal));
        Assert.Equal(TaskPhase.Pending, (await _server.Admin.GetTaskAsync(pending.Name)).Status);
    }

    [Fact]
    public async Task Replicas_scale_and_a_mode_change_are_refused_naming_the_field()
    {
        var withReplicas = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.ApplyDeploymentAsync(Edge() with { Replicas = 2 }));
        Assert.Equal(HttpStatusCode.BadRequest, withReplicas.Status);
        Assert.True(withReplicas.Errors.ContainsKey("replicas"), withReplicas.Message);

        await _server.Admin.ApplyDeploymentAsync(Edge());
        var update = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.ApplyDeploymentAsync(Edge() with { Mode = null, Replicas = 2 }));
        Assert.True(update.Errors.ContainsKey("replicas"), update.Message);
        var scale = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.ScaleDeploymentAsync("edge", 5));
        Assert.True(scale.Errors.ContainsKey("replicas"), scale.Message);
        var toReplicated = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.ApplyDeploymentAsync(Edge() with { Mode = DeploymentMode.Replicated }));
        Assert.True(toReplicated.Errors.ContainsKey("mode"), toReplicated.Message);
        // Left out, the mode is kept: a re-applied file without it changes nothing.
        Assert.Equal(DeploymentMode.System, (await _server.Admin.ApplyDeploymentAsync(Edge() with { Mode = null })).Mode);
    }
}
