using System.Net;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

public sealed class DeploymentTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private readonly List<HollowAgent> _agents = [];

    public async Task InitializeAsync()
    {
        // Hollow agents heartbeat every 100 ms; 2 s leaves room for a loaded machine yet keeps node-loss tests quick.
        _server = await TestServer.StartAsync(heartbeatTimeout: TimeSpan.FromSeconds(2));
        foreach (var name in new[] { "a", "b", "c" }) _agents.Add(await HollowAgent.StartAsync(_server, name));
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents) await agent.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static ApplyDeploymentRequest Web(string image = "web:1", int? replicas = 3) =>
        new() { Name = "web", Image = image, Replicas = replicas, CpuMillis = 100, Ports = [new PortMapping { ContainerPort = 8080 }] };

    private async Task<List<TaskResource>> LiveInstancesAsync() =>
        (await _server.Admin.ListTasksAsync()).Items.Where(t => t.Deployment == "web" && !t.Status.IsTerminal() && !t.StopRequested).ToList();

    private Task<DeploymentResource> WaitForRolloutAsync(string state, string what) =>
        Eventually.WaitAsync(() => _server.Admin.GetDeploymentAsync("web"), d => d.RolloutStatus == state, what, TimeSpan.FromSeconds(15));

    [Fact]
    public async Task Three_replicas_land_one_per_node_and_the_rollout_completes()
    {
        var created = await _server.Admin.ApplyDeploymentAsync(Web());
        Assert.Equal(1, created.Revision);
        var done = await WaitForRolloutAsync(RolloutStates.Complete, "rollout complete");
        Assert.Equal(3, done.ReadyReplicas);
        var instances = await LiveInstancesAsync();
        Assert.Equal(3, instances.Count);
        Assert.Equal(["a", "b", "c"], instances.Select(i => i.Node!).Order(StringComparer.Ordinal));
        Assert.All(instances, i => Assert.Matches("^web-1-[a-z0-9]{5}$", i.Name));
        Assert.All(instances, i => Assert.NotNull(i.HostPort));
    }

    [Fact]
    public async Task Scaling_follows_the_replica_count_up_and_down()
    {
        await _server.Admin.ApplyDeploymentAsync(Web());
        await WaitForRolloutAsync(RolloutStates.Complete, "3 ready");
        foreach (var n in new[] { 5, 2, 0, 1 })
        {
            await _server.Admin.ScaleDeploymentAsync("web", n);
            await Eventually.WaitAsync(async () => (await LiveInstancesAsync()).Count(i => i.Ready), c => c == n, $"{n} ready instances", TimeSpan.FromSeconds(15));
            var d = await WaitForRolloutAsync(RolloutStates.Complete, $"complete at {n}");
            Assert.Equal(n, d.ReadyReplicas);
            Assert.Equal(n, (await LiveInstancesAsync()).Count);
        }
    }

    [Fact]
    public async Task A_rolling_update_never_drops_below_the_replica_count_nor_surges_past_one()
    {
        await _server.Admin.ApplyDeploymentAsync(Web());
        await WaitForRolloutAsync(RolloutStates.Complete, "first rollout");
        var list = await _server.Admin.ListTasksAsync();
        var state = list.Items.Where(t => t.Deployment == "web").ToDictionary(t => t.Name);
        var minReady = int.MaxValue;
        var maxLive = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var observing = Task.Run(async () =>
        {
            await foreach (var ev in _server.Admin.WatchTasksAsync(list.Revision, ct: cts.Token))
            {
                if (ev.Object is not { Deployment: "web" } t) continue;
                if (ev.Type == WatchEventTypes.Deleted) state.Remove(t.Name); else state[t.Name] = t;
                var live = state.Values.Where(i => !i.Status.IsTerminal() && !i.StopRequested).ToList();
                minReady = Math.Min(minReady, state.Values.Count(i => i.Status == TaskPhase.Running && i.Ready));
                maxLive = Math.Max(maxLive, live.Count);
                if (live.Count == 3 && live.All(i => i.Revision == 2 && i.Ready)) return;
            }
        }, cts.Token);

        var updated = await _server.Admin.ApplyDeploymentAsync(Web(image: "web:2", replicas: null));
        Assert.Equal(2, updated.Revision);
        Assert.Equal(3, updated.Replicas);
        await observing;
        Assert.True(minReady >= 3, $"ready instances dropped to {minReady}");
        Assert.True(maxLive <= 4, $"{maxLive} live instances (max surge 1)");
        var done = await WaitForRolloutAsync(RolloutStates.Complete, "second rollout");
        Assert.All(await LiveInstancesAsync(), i => Assert.Equal("web:2", i.Image));
        Assert.Equal(2, done.History.Count);
    }

    [Fact]
    public async Task A_rollout_whose_instances_never_get_ready_fails_and_undo_returns_to_the_old_template()
    {
        foreach (var agent in _agents) agent.BecomesReady = t => t.Image != "web:broken";
        await _server.Admin.ApplyDeploymentAsync(Web());
        await WaitForRolloutAsync(RolloutStates.Complete, "first rollout");

        await _server.Admin.ApplyDeploymentAsync(Web(image: "web:broken") with { ProgressDeadlineSeconds = 1 });
        var failed = await WaitForRolloutAsync(RolloutStates.Failed, "rollout failed");
        Assert.Contains("old instances keep serving", failed.RolloutMessage, StringComparison.Ordinal);
        var live = await LiveInstancesAsync();
        Assert.Equal(3, live.Count(i => i.Image == "web:1" && i.Ready));

        // The undo's own rollout gets a deadline a loaded machine can meet (changing only the deadline makes no revision).
        var relaxed = await _server.Admin.ApplyDeploymentAsync(Web(image: "web:broken") with { ProgressDeadlineSeconds = 60 });
        Assert.Equal(2, relaxed.Revision);
        var undone = await _server.Admin.UndoRolloutAsync("web");
        Assert.Equal(3, undone.Revision);
        Assert.Equal("web:1", undone.Template.Image);
        await WaitForRolloutAsync(RolloutStates.Complete, "undo complete");
        Assert.All(await LiveInstancesAsync(), i => Assert.Equal("web:1", i.Image));
    }

    [Fact]
    public async Task Instances_of_a_lost_node_are_replaced_elsewhere()
    {
        await _server.Admin.ApplyDeploymentAsync(Web());
        await WaitForRolloutAsync(RolloutStates.Complete, "first rollout");
        _agents[0].Heartbeating = false;
        await Eventually.WaitAsync(LiveInstancesAsync,
            l => l.Count == 3 && l.All(i => i.Node != "a" && i.Ready), "3 ready instances on b and c", TimeSpan.FromSeconds(15));
        var lost = (await _server.Admin.ListTasksAsync()).Items.Where(t => t.Deployment == "web" && t.Node == "a").ToList();
        Assert.All(lost, t => Assert.True(t.Status.IsTerminal()));
    }

    [Fact]
    public async Task Draining_a_node_moves_its_instances_away_new_before_old()
    {
        await _server.Admin.ApplyDeploymentAsync(Web());
        await WaitForRolloutAsync(RolloutStates.Complete, "first rollout");
        var drained = await _server.Admin.DrainNodeAsync("a");
        Assert.True(drained.Unschedulable);
        await Eventually.WaitAsync(LiveInstancesAsync, l => l.Count == 3 && l.All(i => i.Node != "a" && i.Ready), "instances moved off a", TimeSpan.FromSeconds(15));
        await WaitForRolloutAsync(RolloutStates.Complete, "complete after drain");
        Assert.False((await _server.Admin.UncordonNodeAsync("a")).Unschedulable);
    }

    [Fact]
    public async Task Removing_a_deployment_removes_its_instances()
    {
        await _server.Admin.ApplyDeploymentAsync(Web());
        await WaitForRolloutAsync(RolloutStates.Complete, "first rollout");
        await _server.Admin.DeleteDeploymentAsync("web");
        await Eventually.WaitAsync(() => _server.Admin.ListTasksAsync(), l => l.Items.All(t => t.Deployment != "web"), "instances removed");
        var ex = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.GetDeploymentAsync("web"));
        Assert.Equal(HttpStatusCode.NotFound, ex.Status);
    }

    [Theory]
    [InlineData(-1, null, "replicas")]
    [InlineData(3, 0, "maxSurge")]
    public async Task Bad_deployments_are_rejected_naming_the_field(int replicas, int? maxSurge, string field)
    {
        var ex = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.ApplyDeploymentAsync(Web(replicas: replicas) with { MaxSurge = maxSurge }));
        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        Assert.True(ex.Errors.ContainsKey(field), string.Join(",", ex.Errors.Keys));
    }

    [Fact]
    public async Task A_standalone_task_that_may_restart_is_rescheduled_when_its_node_is_lost()
    {
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "batch", Image = "x", RestartPolicy = RestartPolicy.Always, NodeSelector = new Dictionary<string, string>() });
        var first = await Eventually.WaitAsync(() => _server.Admin.GetTaskAsync("batch"), t => t.Status == TaskPhase.Running, "running");
        _agents.Single(a => a.Name == first.Node).Heartbeating = false;
        var moved = await Eventually.WaitAsync(() => _server.Admin.GetTaskAsync("batch"),
            t => t.Status == TaskPhase.Running && t.Node != first.Node, "running on another node", TimeSpan.FromSeconds(15));
        Assert.Equal(1, moved.RestartCount);
        Assert.NotEqual(first.Uid, moved.Uid);
    }
}
