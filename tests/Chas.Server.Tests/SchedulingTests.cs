using Chas.Contracts;

namespace Chas.Server.Tests;

public sealed class SchedulingTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<TaskResource> WaitForAsync(string name, Func<TaskResource, bool> condition, string what) =>
        Eventually.WaitAsync(() => _server.Admin.GetTaskAsync(name), condition, $"task {name} {what}");

    [Fact]
    public async Task Without_nodes_a_task_stays_pending_and_says_why()
    {
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "lonely", Image = "x" });
        var task = await WaitForAsync("lonely", t => t.Reason == "0/0 nodes available: no nodes registered", "explains it has no nodes");
        Assert.Equal(TaskPhase.Pending, task.Status);
        Assert.Null(task.Node);
    }

    [Fact]
    public async Task A_node_becoming_ready_gets_the_waiting_task()
    {
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "waiting", Image = "x" });
        await WaitForAsync("waiting", t => t.Reason?.StartsWith("0/0", StringComparison.Ordinal) == true, "is pending");
        await _server.AddReadyNodeAsync("n1");
        var task = await WaitForAsync("waiting", t => t.Status == TaskPhase.Scheduled, "scheduled once a node is ready");
        Assert.Equal("n1", task.Node);
        Assert.NotNull(task.ScheduledAt);
        Assert.Null(task.Reason);
    }

    [Fact]
    public async Task A_watcher_sees_the_task_added_then_bound_in_order()
    {
        await _server.AddReadyNodeAsync("n1");
        var list = await _server.Admin.ListTasksAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<(string Type, TaskPhase Status, long Revision)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var ev in _server.Admin.WatchTasksAsync(list.Revision, ct: cts.Token))
            {
                seen.Add((ev.Type, ev.Object!.Status, ev.Revision));
                if (ev.Object.Status == TaskPhase.Scheduled) return;
            }
        }, cts.Token);
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "watched", Image = "x" });
        await watching;
        Assert.Equal(WatchEventTypes.Added, seen[0].Type);
        Assert.Equal(TaskPhase.Pending, seen[0].Status);
        Assert.Equal((WatchEventTypes.Modified, TaskPhase.Scheduled), (seen[^1].Type, seen[^1].Status));
        Assert.True(seen.Select(s => s.Revision).SequenceEqual(seen.Select(s => s.Revision).Order()), "revisions increase");
    }

    [Fact]
    public async Task Tasks_spread_over_the_least_loaded_nodes()
    {
        await _server.AddReadyNodeAsync("a", cpuMillis: 2000);
        await _server.AddReadyNodeAsync("b", cpuMillis: 2000);
        for (var i = 0; i < 4; i++)
            await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = $"t{i}", Image = "x", CpuMillis = 500 });
        var tasks = await Eventually.WaitAsync(() => _server.Admin.ListTasksAsync(), l => l.Items.All(t => t.Status == TaskPhase.Scheduled), "all scheduled");
        Assert.Equal(2, tasks.Items.Count(t => t.Node == "a"));
        Assert.Equal(2, tasks.Items.Count(t => t.Node == "b"));
        // The node list counts the binds as soon as the tasks show them: it reads the cache only once that has caught up.
        var nodes = await _server.Admin.ListNodesAsync();
        Assert.All(nodes.Items, n => Assert.Equal((1000L, 2), (n.Allocated!.CpuMillis, n.Allocated.Tasks)));
    }

    [Fact]
    public async Task A_task_that_fits_nowhere_is_pending_with_per_reason_counts()
    {
        await _server.AddReadyNodeAsync("small", cpuMillis: 1000);
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "huge", Image = "x", CpuMillis = 500_000 });
        var task = await WaitForAsync("huge", t => t.Reason == "0/1 nodes available: 1 insufficient cpu", "explains the cpu shortage");
        Assert.Equal(TaskPhase.Pending, task.Status);
        var node = await _server.Admin.GetNodeAsync("small");
        Assert.Equal(0, node.Allocated!.CpuMillis);
    }

    [Fact]
    public async Task Host_ports_come_from_the_node_range_and_are_never_shared()
    {
        await _server.AddReadyNodeAsync("n1", ports: new PortRange(20000, 20001));
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "web1", Image = "x", Ports = [new PortMapping { ContainerPort = 80 }] });
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "web2", Image = "x", Ports = [new PortMapping { ContainerPort = 80, HostPort = 20000 }] });
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "web3", Image = "x", Ports = [new PortMapping { ContainerPort = 80 }] });

        var web1 = await WaitForAsync("web1", t => t.Status == TaskPhase.Scheduled, "scheduled");
        Assert.Equal(20000, Assert.Single(web1.PublishedPorts).HostPort);
        Assert.Equal("127.0.0.1", web1.PublishedPorts[0].HostIp);
        var web2 = await WaitForAsync("web2", t => t.Reason?.StartsWith("0/1 nodes available", StringComparison.Ordinal) == true, "pending with the scheduler's reason");
        Assert.Equal("0/1 nodes available: 1 host port 20000/tcp in use", web2.Reason);
        var web3 = await WaitForAsync("web3", t => t.Status == TaskPhase.Scheduled, "scheduled on the last free port");
        Assert.Equal(20001, web3.PublishedPorts[0].HostPort);
    }

    [Fact]
    public async Task A_task_pending_too_long_fails_with_the_reason()
    {
        // The timeout runs on the server's clock: a fake one, advanced past it, so the test does not wait for it.
        await using var server = await FakeClockServer.StartAsync(o => o with { PendingTimeout = TimeSpan.FromSeconds(1) });
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "impatient", Image = "x" });
        var task = await server.AdvanceUntilAsync(TimeSpan.FromMilliseconds(500), () => server.Admin.GetTaskAsync("impatient"),
            t => t.Status == TaskPhase.Failed, "failed after the pending timeout");
        Assert.Equal("not scheduled within 1s: 0/0 nodes available: no nodes registered", task.Error);
        Assert.NotNull(task.FinishedAt);
    }
}
