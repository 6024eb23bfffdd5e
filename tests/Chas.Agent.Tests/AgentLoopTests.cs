using Chas.Contracts;

namespace Chas.Agent.Tests;

/// <summary>The real agent loop against a real in-process server, over a fake engine.</summary>
public sealed class AgentLoopTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private readonly FakeContainerRuntime _runtime = new();
    private TestAgent _agent = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _agent = new TestAgent(_server, _runtime);
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task StartAgentAsync() => _agent.StartAsync();

    private Task StopAgentAsync() => _agent.StopAsync();

    private Task<TaskResource> WaitForTaskAsync(string name, TaskPhase phase) =>
        Eventually.WaitAsync(() => _server.Admin.GetTaskAsync(name), t => t.Status == phase, $"{name} {phase.ToWire()}");

    [Fact]
    public async Task A_task_is_created_started_and_reported_through_to_completion()
    {
        await StartAgentAsync();
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "job", Image = "img", Command = ["echo", "hi"], Env = new Dictionary<string, string> { ["A"] = "1" } });
        var running = await WaitForTaskAsync("job", TaskPhase.Running);
        var container = Assert.Single(_runtime.Containers);
        Assert.Equal(running.ContainerId, container.Info.Id);
        Assert.Equal(["echo", "hi"], container.Spec!.Command);
        Assert.Equal("1", container.Spec.Env["A"]);
        Assert.Equal(running.Uid, container.Spec.Labels[ContainerLabels.Uid]);
        Assert.Matches("^[0-9a-f]{16}$", container.Spec.Labels[ContainerLabels.Cluster]);

        _runtime.ExitContainer(container.Info.Id, 0);
        var done = await WaitForTaskAsync("job", TaskPhase.Completed);
        Assert.Equal(0, done.ExitCode);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task Privileged_and_read_only_root_reach_the_container_spec(bool privileged, bool readOnlyRoot)
    {
        await StartAgentAsync();
        // As admin, who alone may ask for privileged.
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "hardened", Image = "img", Privileged = privileged, ReadOnlyRootFilesystem = readOnlyRoot });

        await WaitForTaskAsync("hardened", TaskPhase.Running);

        var spec = Assert.Single(_runtime.Containers).Spec!;
        Assert.Equal((privileged, readOnlyRoot), (spec.Privileged, spec.ReadOnlyRootFilesystem));
    }

    [Fact]
    public async Task A_nonzero_exit_fails_the_task_with_its_code()
    {
        await StartAgentAsync();
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "bad", Image = "img" });
        var running = await WaitForTaskAsync("bad", TaskPhase.Running);
        _runtime.ExitContainer(running.ContainerId!, 3);
        var failed = await WaitForTaskAsync("bad", TaskPhase.Failed);
        Assert.Equal((3, "exited with code 3"), (failed.ExitCode, failed.Error));
    }

    [Fact]
    public async Task An_image_that_cannot_be_had_fails_the_task_with_the_engine_message()
    {
        _runtime.MissingImages.Add("nowhere:1");
        await StartAgentAsync();
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "noimg", Image = "nowhere:1" });
        var failed = await WaitForTaskAsync("noimg", TaskPhase.Failed);
        Assert.Contains("nowhere:1", failed.Error, StringComparison.Ordinal);
        Assert.Empty(_runtime.Containers);
    }

    [Fact]
    public async Task Stop_stops_the_container_and_reports_stopped()
    {
        await StartAgentAsync();
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "svc", Image = "img" });
        var running = await WaitForTaskAsync("svc", TaskPhase.Running);
        await _server.Admin.StopTaskAsync("svc");
        var stopped = await WaitForTaskAsync("svc", TaskPhase.Stopped);
        Assert.Equal(143, stopped.ExitCode);
        Assert.Contains($"stop {running.ContainerId}", _runtime.Calls);
    }

    [Fact]
    public async Task Removing_a_task_removes_its_container()
    {
        await StartAgentAsync();
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "gone", Image = "img" });
        var running = await WaitForTaskAsync("gone", TaskPhase.Running);
        await _server.Admin.DeleteTaskAsync("gone", force: true);
        await Eventually.WaitAsync(() => Task.FromResult(_runtime.Containers.Count), n => n == 0, "container removed");
        Assert.Contains($"remove {running.ContainerId}", _runtime.Calls);
    }

    [Fact]
    public async Task A_restarted_agent_adopts_its_running_container_instead_of_starting_another()
    {
        await StartAgentAsync();
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "keep", Image = "img" });
        var running = await WaitForTaskAsync("keep", TaskPhase.Running);
        await StopAgentAsync();

        await StartAgentAsync();
        var stillRunning = await _server.Admin.GetTaskAsync("keep");
        Assert.Equal((TaskPhase.Running, running.ContainerId), (stillRunning.Status, stillRunning.ContainerId));
        Assert.Single(_runtime.Containers);
        Assert.Single(_runtime.Calls, c => c.StartsWith("create", StringComparison.Ordinal));

        // And it still follows the adopted container to its end.
        _runtime.ExitContainer(running.ContainerId!, 0);
        await WaitForTaskAsync("keep", TaskPhase.Completed);
    }

    [Fact]
    public async Task Containers_of_tasks_the_server_no_longer_assigns_here_are_removed_before_the_node_is_ready()
    {
        var orphan = _runtime.AddRunning("chas-n1-default-old-12345678", new Dictionary<string, string>
        {
            [ContainerLabels.Managed] = "true", [ContainerLabels.Node] = "n1", [ContainerLabels.Uid] = "no-such-task",
        });
        var foreign = _runtime.AddRunning("someone-else", new Dictionary<string, string>
        {
            [ContainerLabels.Managed] = "true", [ContainerLabels.Node] = "other-node", [ContainerLabels.Uid] = "x",
        });
        // Another cluster's node that happens to have the same name, on the same engine (two `chas dev` on one machine).
        var otherCluster = _runtime.AddRunning("chas-n1-default-theirs-87654321", new Dictionary<string, string>
        {
            [ContainerLabels.Managed] = "true", [ContainerLabels.Node] = "n1", [ContainerLabels.Uid] = "their-task",
            [ContainerLabels.Cluster] = "0123456789abcdef",
        });
        await StartAgentAsync();
        Assert.Contains($"remove {orphan}", _runtime.Calls);
        Assert.DoesNotContain($"remove {foreign}", _runtime.Calls);
        Assert.DoesNotContain($"remove {otherCluster}", _runtime.Calls);
        Assert.Equal(new[] { foreign, otherCluster }.Order(StringComparer.Ordinal), _runtime.Containers.Select(c => c.Info.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_container_that_exited_while_the_agent_was_down_is_reported()
    {
        await StartAgentAsync();
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "quick", Image = "img" });
        var running = await WaitForTaskAsync("quick", TaskPhase.Running);
        await StopAgentAsync();
        _runtime.ExitContainer(running.ContainerId!, 7);
        await StartAgentAsync();
        var failed = await WaitForTaskAsync("quick", TaskPhase.Failed);
        Assert.Equal(7, failed.ExitCode);
    }
}
