using System.Net;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>Events (GET /api/v1/events, the watch with kind=events, POST by agents) through a task's, a node's and a deployment's life.</summary>
public sealed class EventTests
{
    private static Task<IReadOnlyList<EventResource>> EventsAsync(ChasClient client, string? name = null) =>
        client.ListEventsAsync(name).ContinueWith(t => t.Result.Items, TaskScheduler.Default);

    private static Task<IReadOnlyList<EventResource>> WaitForAsync(ChasClient client, string name, Func<IReadOnlyList<EventResource>, bool> condition, string what) =>
        Eventually.WaitAsync(() => EventsAsync(client, name), condition, what);

    private static string Describe(IEnumerable<EventResource> events) => string.Join("; ", events.Select(e => $"{e.Reason} x{e.Count}: {e.Message}"));

    [Fact]
    public async Task A_task_that_fits_is_Scheduled_and_its_reports_become_Started_Ready_Restarted_and_OOMKilled()
    {
        await using var server = await TestServer.StartAsync();
        await server.AddReadyNodeAsync("n1");
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "web", Image = "x", RestartPolicy = RestartPolicy.Always });
        var task = await Eventually.WaitAsync(() => server.Admin.GetTaskAsync("web"), t => t.Status == TaskPhase.Scheduled, "scheduled");

        async Task ReportAsync(TaskStatusReport report) =>
            await server.Node.ReportTaskStatusAsync("web", task.Namespace, report with { Node = "n1", Uid = task.Uid, ContainerId = "c0ffee" });
        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Running, Ready = false });
        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Running, Ready = true });
        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Starting, RestartCount = 1, ExitCode = 1, Error = "exited with code 1", Reason = "crash-loop back-off: restart 1 in 1s (exited with code 1)" });
        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Running, Ready = true });
        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Starting, RestartCount = 2, ExitCode = 137, Error = "oom-killed: the container exceeded its memory limit" });

        var events = await WaitForAsync(server.Admin, "web", e => e.Any(x => x.Reason == EventReasons.OomKilled), "OOMKilled");
        var byReason = events.ToDictionary(e => e.Reason);
        Assert.True(byReason.ContainsKey(EventReasons.Scheduled), Describe(events));
        Assert.Contains("node n1", byReason[EventReasons.Scheduled].Message, StringComparison.Ordinal);
        Assert.Equal("n1", byReason[EventReasons.Scheduled].Node);
        // Repeats of one reason about one object fold into one entry.
        Assert.Equal(2, byReason[EventReasons.Started].Count);
        Assert.Equal(2, byReason[EventReasons.Ready].Count);
        Assert.Equal(2, byReason[EventReasons.Restarted].Count);
        Assert.Equal(EventTypes.Warning, byReason[EventReasons.OomKilled].Type);
        Assert.Equal(EventKinds.Task, byReason[EventReasons.OomKilled].Kind);
        Assert.Equal("default", byReason[EventReasons.OomKilled].Namespace);
        // Oldest first.
        Assert.Equal(EventReasons.Scheduled, events[0].Reason);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Time <= p.Second.Time), Describe(events));

        // A stop request, then the agent's stopped report: Killed.
        await server.Admin.StopTaskAsync("web");
        await ReportAsync(new TaskStatusReport { Status = TaskPhase.Stopped, ExitCode = 137 });
        var stopped = await WaitForAsync(server.Admin, "web", e => e.Any(x => x.Reason == EventReasons.Killed), "Killed");
        Assert.Contains("stopped on request", stopped.Single(e => e.Reason == EventReasons.Killed).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_no_node_can_take_gets_FailedScheduling_with_the_schedulers_explanation()
    {
        await using var server = await TestServer.StartAsync();
        await server.AddReadyNodeAsync("n1", cpuMillis: 1000);
        await server.AddReadyNodeAsync("n2", cpuMillis: 1000);
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "big", Image = "x", CpuMillis = 64_000 });

        var events = await WaitForAsync(server.Admin, "big", e => e.Any(x => x.Reason == EventReasons.FailedScheduling), "FailedScheduling");
        var failed = events.Single(e => e.Reason == EventReasons.FailedScheduling);
        Assert.StartsWith("0/2 nodes available", failed.Message, StringComparison.Ordinal);
        Assert.Contains("cpu", failed.Message, StringComparison.Ordinal);
        Assert.Equal(EventTypes.Warning, failed.Type);
        Assert.DoesNotContain(events, e => e.Reason == EventReasons.Scheduled);
    }

    [Fact]
    public async Task Losing_a_node_records_NodeNotReady_and_Rescheduled_and_its_return_NodeReady()
    {
        await using var server = await TestServer.StartAsync(heartbeatTimeout: TimeSpan.FromMilliseconds(600));
        await server.AddReadyNodeAsync("n1");
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "keep", Image = "x", RestartPolicy = RestartPolicy.Always });
        await Eventually.WaitAsync(() => server.Admin.GetTaskAsync("keep"), t => t.Status == TaskPhase.Scheduled, "scheduled");

        // No heartbeats from here on.
        var nodeEvents = await WaitForAsync(server.Admin, "n1", e => e.Any(x => x.Reason == EventReasons.NodeNotReady), "NodeNotReady");
        var notReady = nodeEvents.Single(e => e.Reason == EventReasons.NodeNotReady);
        Assert.Equal(EventKinds.Node, notReady.Kind);
        Assert.Null(notReady.Namespace);
        Assert.Equal(EventTypes.Warning, notReady.Type);
        var taskEvents = await WaitForAsync(server.Admin, "keep", e => e.Any(x => x.Reason == EventReasons.Rescheduled), "Rescheduled");
        Assert.Contains("n1", taskEvents.Single(e => e.Reason == EventReasons.Rescheduled).Message, StringComparison.Ordinal);

        await server.Node.HeartbeatAsync("n1", new HeartbeatRequest());
        await WaitForAsync(server.Admin, "n1", e => e.Any(x => x.Reason == EventReasons.NodeReady), "NodeReady");
    }

    [Fact]
    public async Task A_deployments_events_include_its_instances_and_the_finished_rollout()
    {
        await using var server = await TestServer.StartAsync();
        await using var agent = await HollowAgent.StartAsync(server, "n1");
        await server.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "web", Image = "web:1", Replicas = 2 });

        var events = await WaitForAsync(server.Admin, "web", e => e.Any(x => x.Reason == EventReasons.RolloutComplete), "RolloutComplete");
        Assert.Contains(events, e => e.Kind == EventKinds.Deployment && e.Reason == EventReasons.ScaledUp);
        Assert.Equal(2, events.Count(e => e.Kind == EventKinds.Task && e.Reason == EventReasons.Scheduled && e.Deployment == "web"));
        Assert.Equal(2, events.Count(e => e.Kind == EventKinds.Task && e.Reason == EventReasons.Started));
    }

    [Fact]
    public async Task The_history_is_bounded()
    {
        await using var host = await AuthTestHost.StartAsync(o => o with { EventHistory = 5 });
        // No nodes: every task gets a FailedScheduling event.
        for (var i = 0; i < 9; i++) await host.Admin.CreateTaskAsync(new CreateTaskRequest { Name = $"t{i}", Image = "x" });

        var events = await Eventually.WaitAsync(() => EventsAsync(host.Admin), e => e.Any(x => x.Name == "t8"), "the newest event");
        Assert.Equal(5, events.Count);
        Assert.DoesNotContain(events, e => e.Name == "t0");
    }

    [Fact]
    public async Task Another_namespaces_events_are_invisible()
    {
        await using var host = await AuthTestHost.StartAsync();
        var alice = await host.CreateUserAndLoginAsync("alice", Role.User);
        await host.Admin.ApplyNamespaceAsync("team", new ApplyNamespaceRequest());
        await host.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "secret", Namespace = "team", Image = "x" });
        await Eventually.WaitAsync(() => EventsAsync(host.Admin, "secret"), e => e.Count > 0, "the admin sees team's event");

        var (status, _, r) = await host.SendAsync(HttpMethod.Get, "api/v1/events?namespace=team", alice.AccessToken);
        r.Dispose();
        Assert.Equal(HttpStatusCode.NotFound, status);
        var (ok, body, r2) = await host.SendAsync(HttpMethod.Get, "api/v1/events", alice.AccessToken);
        r2.Dispose();
        Assert.Equal(HttpStatusCode.OK, ok);
        var visible = JsonSerializer.Deserialize(body, ChasJsonContext.Default.ResourceListEventResource)!;
        Assert.DoesNotContain(visible.Items, e => e.Namespace == "team");

        // Nor through the watch: alice's stream carries her own event, never team's.
        using var aliceClient = host.Client(alice.AccessToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var seen = new List<EventResource>();
        var watching = Task.Run(async () =>
        {
            await foreach (var ev in aliceClient.WatchEventsAsync(0, cts.Token))
            {
                if (ev.Object is { } o) seen.Add(o);
                if (ev.Object?.Name == "mine") return;
            }
        });
        await aliceClient.CreateTaskAsync(new CreateTaskRequest { Name = "mine", Image = "x" });
        await watching;
        Assert.DoesNotContain(seen, e => e.Namespace == "team");
    }

    [Fact]
    public async Task The_watch_of_events_resumes_after_the_last_revision_seen()
    {
        await using var server = await TestServer.StartAsync();
        var start = (await server.Admin.ListEventsAsync()).Revision;
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "first", Image = "x" });

        var first = await FirstEventAsync(server.Admin, start);
        Assert.Equal("first", first.Object!.Name);
        Assert.Equal(EventReasons.FailedScheduling, first.Object.Reason);

        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "second", Image = "x" });
        var resumed = await FirstEventAsync(server.Admin, first.Revision);
        Assert.Equal("second", resumed.Object!.Name);
        Assert.True(resumed.Revision > first.Revision);
    }

    private static async Task<WatchEvent<EventResource>> FirstEventAsync(ChasClient client, long since)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await foreach (var ev in client.WatchEventsAsync(since, cts.Token))
            if (ev.Object is not null) return ev;
        throw new Xunit.Sdk.XunitException("the watch ended without an event");
    }

    [Fact]
    public async Task Agents_report_events_only_about_their_own_tasks()
    {
        await using var server = await TestServer.StartAsync();
        await server.AddReadyNodeAsync("n1");
        await server.AddReadyNodeAsync("n2");
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "job", Image = "x", NodeSelector = new Dictionary<string, string>() });
        var task = await Eventually.WaitAsync(() => server.Admin.GetTaskAsync("job"), t => t.Status == TaskPhase.Scheduled, "scheduled");
        var other = task.Node == "n1" ? "n2" : "n1";
        var pulled = new EventResource { Kind = EventKinds.Task, Namespace = task.Namespace, Name = "job", Reason = EventReasons.Pulled, Message = "image x is present" };

        using var own = server.NodeClient(task.Node!);
        await own.ReportEventAsync(pulled);
        using var stranger = server.NodeClient(other);
        var denied = await Assert.ThrowsAsync<ChasApiException>(() => stranger.ReportEventAsync(pulled));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        var invented = await Assert.ThrowsAsync<ChasApiException>(() => own.ReportEventAsync(pulled with { Reason = EventReasons.Scheduled }));
        Assert.Equal(HttpStatusCode.BadRequest, invented.Status);
        var listing = await Assert.ThrowsAsync<ChasApiException>(() => own.ListEventsAsync());
        Assert.Equal(HttpStatusCode.Forbidden, listing.Status);

        var events = await WaitForAsync(server.Admin, "job", e => e.Any(x => x.Reason == EventReasons.Pulled), "Pulled");
        Assert.Equal(task.Node, events.Single(e => e.Reason == EventReasons.Pulled).Node);
    }
}
