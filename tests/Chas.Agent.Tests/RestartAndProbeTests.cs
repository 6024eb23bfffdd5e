using Chas.Contracts;
using Chas.Runtime;

namespace Chas.Agent.Tests;

/// <summary>Restart policies, crash-loop back-off and probes, as the real agent loop applies them.</summary>
public sealed class RestartAndProbeTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private readonly FakeContainerRuntime _runtime = new();
    private TestAgent _agent = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _agent = new TestAgent(_server, _runtime);
        await _agent.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<TaskResource> WaitAsync(string name, Func<TaskResource, bool> condition, string what) =>
        Eventually.WaitAsync(() => _server.Admin.GetTaskAsync(name), condition, $"{name}: {what}");

    private FakeContainerRuntime.FakeContainer ContainerOf(TaskResource task) => _runtime.Containers.Single(c => c.Info.Id == task.ContainerId);

    [Fact]
    public async Task Restart_always_restarts_the_same_container_in_place_with_growing_back_off()
    {
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "crashy", Image = "img", RestartPolicy = RestartPolicy.Always });
        var running = await WaitAsync("crashy", t => t.Status == TaskPhase.Running, "running");
        for (var i = 1; i <= 3; i++)
        {
            _runtime.ExitContainer(running.ContainerId!, 1);
            running = await WaitAsync("crashy", t => t.Status == TaskPhase.Running && t.RestartCount == i, $"running again after restart {i}");
        }
        Assert.Equal(4, ContainerOf(running).Starts);
        Assert.Single(_runtime.Containers);
        Assert.Equal(1, running.ExitCode);
    }

    [Fact]
    public async Task While_backing_off_the_task_says_so()
    {
        var slow = new RestartBackoff(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromSeconds(30), slow.Next(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMinutes(1), slow.Next(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMinutes(1), slow.Next(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(30), slow.Next(TimeSpan.FromMinutes(2)));

        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "looping", Image = "img", RestartPolicy = RestartPolicy.Always });
        var running = await WaitAsync("looping", t => t.Status == TaskPhase.Running, "running");
        var seen = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var watching = Task.Run(async () =>
        {
            await foreach (var ev in _server.Admin.WatchTasksAsync(running.ResourceVersion, ct: cts.Token))
            {
                if (ev.Object?.Name != "looping") continue;
                if (ev.Object.Reason is { } reason) seen.Add(reason);
                if (ev.Object.Status == TaskPhase.Running && ev.Object.RestartCount == 1) return;
            }
        }, cts.Token);
        _runtime.ExitContainer(running.ContainerId!, 2);
        await watching;
        Assert.Contains(seen, r => r.StartsWith("crash-loop back-off: restart 1 in", StringComparison.Ordinal) && r.Contains("exited with code 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_failure_stops_restarting_after_the_maximum_and_never_restarts_a_success()
    {
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "limited", Image = "img", RestartPolicy = RestartPolicy.OnFailure, MaxRestarts = 2 });
        var running = await WaitAsync("limited", t => t.Status == TaskPhase.Running, "running");
        for (var i = 1; i <= 2; i++)
        {
            _runtime.ExitContainer(running.ContainerId!, 1);
            running = await WaitAsync("limited", t => t.Status == TaskPhase.Running && t.RestartCount == i, $"restart {i}");
        }
        _runtime.ExitContainer(running.ContainerId!, 1);
        var failed = await WaitAsync("limited", t => t.Status == TaskPhase.Failed, "failed for good");
        Assert.Equal((2, 1), (failed.RestartCount, failed.ExitCode));

        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "succeeds", Image = "img", RestartPolicy = RestartPolicy.OnFailure });
        var ok = await WaitAsync("succeeds", t => t.Status == TaskPhase.Running, "running");
        _runtime.ExitContainer(ok.ContainerId!, 0);
        var completed = await WaitAsync("succeeds", t => t.Status == TaskPhase.Completed, "completed");
        Assert.Equal(0, completed.RestartCount);
    }

    [Fact]
    public async Task Readiness_follows_the_probe_both_ways()
    {
        var healthy = false;
        _runtime.OnExec = cmd => new ExecResult(cmd[0] == "check" && Volatile.Read(ref healthy) ? 0 : 1, "", false);
        var probe = new ProbeSpec { Type = ProbeType.Exec, Command = ["check"], PeriodSeconds = 0.05, FailureThreshold = 2, SuccessThreshold = 1 };
        await _server.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "svc", Image = "img", Replicas = 1, Readiness = probe });
        var instance = await Eventually.WaitAsync(() => _server.Admin.ListTasksAsync(), l => l.Items.Any(t => t.Deployment == "svc" && t.Status == TaskPhase.Running), "instance running");
        var name = instance.Items.Single(t => t.Deployment == "svc").Name;
        Assert.False((await _server.Admin.GetTaskAsync(name)).Ready);

        Volatile.Write(ref healthy, true);
        await WaitAsync(name, t => t.Ready, "ready once the probe passes");
        Volatile.Write(ref healthy, false);
        var notReady = await WaitAsync(name, t => !t.Ready, "not ready after 2 failures");
        Assert.Equal(TaskPhase.Running, notReady.Status);
    }

    [Fact]
    public async Task A_failing_liveness_probe_restarts_the_container()
    {
        _runtime.OnExec = _ => new ExecResult(1, "", false);
        var probe = new ProbeSpec { Type = ProbeType.Exec, Command = ["alive"], PeriodSeconds = 0.05, FailureThreshold = 2 };
        await _server.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "sick", Image = "img", Replicas = 1, Liveness = probe });
        var restarted = await Eventually.WaitAsync(() => _server.Admin.ListTasksAsync(),
            l => l.Items.Any(t => t.Deployment == "sick" && t.RestartCount >= 1), "restarted by liveness");
        var instance = restarted.Items.Single(t => t.Deployment == "sick");
        Assert.Contains(_runtime.Calls, c => c.StartsWith($"stop {instance.ContainerId}", StringComparison.Ordinal));
        Assert.Single(_runtime.Containers, c => c.Info.Labels.GetValueOrDefault(ContainerLabels.Uid) == instance.Uid);
    }

    [Fact]
    public async Task Assigned_gpus_reach_the_container_spec()
    {
        await _server.Node.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = "n1", Address = "127.0.0.1", AgentUrl = _server.Url.ToString(),
            Capacity = new ResourceAmounts { CpuMillis = 4000, MemoryBytes = 8L << 30 },
            Gpus = [new GpuInfo { Index = 0, Model = "fake" }, new GpuInfo { Index = 1, Model = "fake" }, new GpuInfo { Index = 2, Model = "fake" }],
        });
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "train", Image = "img", Gpus = 2 });
        var running = await WaitAsync("train", t => t.Status == TaskPhase.Running, "running");
        Assert.Equal([0, 1], running.AssignedGpus);
        Assert.Equal([0, 1], ContainerOf(running).Spec!.GpuIndices);
    }
}
