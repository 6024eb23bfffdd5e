using Docker.DotNet.Models;
using System.Diagnostics;

namespace Chas.Runtime.Docker.Tests;

public sealed class ContainerLifecycleTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private readonly DockerContainerRuntime _runtime = engine.Runtime;

    [Fact]
    public async Task Info_reports_the_engine_and_the_node_size()
    {
        var info = await _runtime.GetInfoAsync(CancellationToken.None);

        Assert.Equal("docker", info.Name);
        Assert.False(string.IsNullOrEmpty(info.Version));
        Assert.True(info.CpuCount > 0);
        Assert.True(info.MemoryBytes > 0);
    }

    [Fact]
    public async Task A_finished_container_reports_its_exit_code_and_times()
    {
        await using var containers = new TestContainers(_runtime);

        var (id, exit) = await containers.RunToCompletionAsync(containers.Spec("exit", "sh", "-c", "exit 3"));

        Assert.Equal(new ContainerExit(3, OomKilled: false, Error: null), exit);
        var info = await _runtime.InspectAsync(id, CancellationToken.None);
        Assert.NotNull(info);
        Assert.Equal(containers.Name("exit"), info.Name);
        Assert.Equal(ContainerState.Exited, info.State);
        Assert.Equal(3, info.ExitCode);
        Assert.NotNull(info.StartedAt);
        // No order between the two: for a process this short the engine records the exit before it records the start.
        Assert.NotNull(info.FinishedAt);
    }

    [Fact]
    public async Task A_created_container_has_no_start_time_and_no_exit_code()
    {
        await using var containers = new TestContainers(_runtime);

        var id = await _runtime.CreateAsync(containers.Spec("created", "true"), CancellationToken.None);

        var info = await _runtime.InspectAsync(id, CancellationToken.None);
        Assert.NotNull(info);
        Assert.Equal(ContainerState.Created, info.State);
        Assert.Null(info.ExitCode);
        Assert.Null(info.StartedAt); // Docker's zero time, not year 1
        Assert.Null(info.FinishedAt);
    }

    [Fact]
    public async Task The_image_default_command_is_sh()
    {
        await using var containers = new TestContainers(_runtime);

        // No command: the imported image's CMD ["sh"] runs, and exits at once because stdin is closed.
        var (_, exit) = await containers.RunToCompletionAsync(containers.Spec("default-cmd"));

        Assert.Equal(0, exit.ExitCode);
    }

    [Fact]
    public async Task Environment_variables_reach_the_process()
    {
        await using var containers = new TestContainers(_runtime);
        var spec = containers.Spec("env", "sh", "-c", "echo \"$GREETING\"") with
        {
            Env = new Dictionary<string, string> { ["GREETING"] = "hello from chas" },
        };

        var (id, _) = await containers.RunToCompletionAsync(spec);

        var lines = await _runtime.ReadLogsAsync(id, new LogOptions(), CancellationToken.None).ToListAsync();
        Assert.Equal("hello from chas", Assert.Single(lines).Text);
    }

    [Fact]
    public async Task Gpu_indices_reach_the_process_whether_or_not_the_engine_has_the_nvidia_runtime()
    {
        await using var containers = new TestContainers(_runtime);
        var spec = containers.Spec("gpus", "sh", "-c", "echo $NVIDIA_VISIBLE_DEVICES; echo $CHAS_GPU_INDICES") with
        {
            GpuIndices = [1, 3],
        };

        var (id, exit) = await containers.RunToCompletionAsync(spec);

        Assert.Equal(0, exit.ExitCode);
        var lines = await _runtime.ReadLogsAsync(id, new LogOptions(), CancellationToken.None).ToListAsync();
        Assert.Equal(["1,3", "1,3"], lines.Select(line => line.Text));
        // The device request only where NVIDIA's toolkit can honour it; elsewhere it would stop the container starting.
        var nvidia = (await engine.Client.System.GetSystemInfoAsync()).Runtimes.ContainsKey("nvidia");
        var requests = (await engine.Client.Containers.InspectContainerAsync(id)).HostConfig.DeviceRequests ?? [];
        Assert.Equal(nvidia ? ["1", "3"] : [], requests.SelectMany(request => request.DeviceIDs));
    }

    [Fact]
    public async Task An_exited_container_restarts_in_place_and_keeps_its_logs()
    {
        await using var containers = new TestContainers(_runtime);
        var (id, first) = await containers.RunToCompletionAsync(containers.Spec("restart", "sh", "-c", "echo run; exit 1"));

        await _runtime.StartAsync(id, CancellationToken.None);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var second = await _runtime.WaitAsync(id, deadline.Token);

        Assert.Equal(1, first.ExitCode);
        Assert.Equal(1, second.ExitCode);
        var lines = await _runtime.ReadLogsAsync(id, new LogOptions(), CancellationToken.None).ToListAsync();
        Assert.Equal(["run", "run"], lines.Select(line => line.Text));
        Assert.Equal(ContainerState.Exited, (await _runtime.InspectAsync(id, CancellationToken.None))?.State);
    }

    [Fact]
    public async Task A_second_container_with_the_same_name_is_a_runtime_error()
    {
        await using var containers = new TestContainers(_runtime);
        await _runtime.CreateAsync(containers.Spec("twice", "true"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<RuntimeException>(
            () => _runtime.CreateAsync(containers.Spec("twice", "true"), CancellationToken.None));

        Assert.Contains($"a container named '{containers.Name("twice")}' already exists", error.Message);
    }

    [Fact]
    public async Task Creating_from_a_missing_image_is_a_runtime_error_with_the_engine_message()
    {
        await using var containers = new TestContainers(_runtime);
        var spec = containers.Spec("no-image", "true") with { Image = "chas-test/does-not-exist:nope" };

        var error = await Assert.ThrowsAsync<RuntimeException>(() => _runtime.CreateAsync(spec, CancellationToken.None));

        Assert.Contains("No such image", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task List_by_label_finds_exactly_the_labelled_containers()
    {
        await using var containers = new TestContainers(_runtime);
        await using var others = new TestContainers(_runtime);
        var first = await _runtime.CreateAsync(containers.Spec("one", "true"), CancellationToken.None);
        var second = await _runtime.CreateAsync(containers.Spec("two", "true"), CancellationToken.None);
        await _runtime.CreateAsync(others.Spec("other", "true"), CancellationToken.None);

        var listed = await _runtime.ListAsync(containers.Labels, CancellationToken.None);

        Assert.Equal(new[] { first, second }.Order(), listed.Select(container => container.Id).Order());
        Assert.All(listed, container => Assert.Equal(containers.RunId, container.Labels[TestContainers.RunLabel]));
        Assert.All(listed, container => Assert.Equal(ContainerState.Created, container.State));
    }

    [Fact]
    public async Task Inspect_of_a_missing_container_is_null()
    {
        Assert.Null(await _runtime.InspectAsync("chas-test-no-such-container", CancellationToken.None));
    }

    [Fact]
    public async Task Remove_and_stop_of_a_missing_container_succeed()
    {
        await _runtime.RemoveAsync("chas-test-no-such-container", force: true, CancellationToken.None);
        await _runtime.StopAsync("chas-test-no-such-container", TimeSpan.FromSeconds(1), CancellationToken.None);
    }

    [Fact]
    public async Task Stop_kills_a_process_that_ignores_SIGTERM_after_the_grace_period()
    {
        await using var containers = new TestContainers(_runtime);
        // The shell ignores SIGTERM on purpose: only SIGKILL after the grace period ends it. Stop only
        // once it says the trap is armed, or the SIGTERM could arrive before the trap and end it at once.
        var id = await containers.StartAsync(containers.Spec("stop", "sh", "-c", "trap '' TERM; echo armed; while true; do sleep 1; done"));
        using (var armed = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await foreach (var line in _runtime.ReadLogsAsync(id, new LogOptions { Follow = true }, armed.Token))
                if (line.Text == "armed") break;
        }

        var stopwatch = Stopwatch.StartNew();
        await _runtime.StopAsync(id, TimeSpan.FromSeconds(1), CancellationToken.None);
        stopwatch.Stop();

        var info = await _runtime.InspectAsync(id, CancellationToken.None);
        Assert.Equal(ContainerState.Exited, info?.State);
        Assert.Equal(137, info?.ExitCode); // 128 + SIGKILL
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));

        // Stopping again is fine: the container is already where the caller wants it.
        await _runtime.StopAsync(id, TimeSpan.FromSeconds(1), CancellationToken.None);
    }

    [Fact]
    public async Task A_process_without_signal_handling_stops_on_SIGTERM_thanks_to_the_init()
    {
        await using var containers = new TestContainers(_runtime);
        // Without an init, sleep would be PID 1, which ignores unhandled signals, and wait for SIGKILL.
        var id = await containers.StartAsync(containers.Spec("init", "sleep", "1000"));
        await _runtime.StopAsync(id, TimeSpan.FromSeconds(30), CancellationToken.None);
        var info = await _runtime.InspectAsync(id, CancellationToken.None);
        Assert.Equal(143, info?.ExitCode); // 128 + SIGTERM: it did not need the SIGKILL 30 s later
    }

    [Fact]
    public async Task Stop_without_a_grace_period_kills_at_once()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("stop-now", "sleep", "1000"));

        var stopwatch = Stopwatch.StartNew();
        await _runtime.StopAsync(id, TimeSpan.Zero, CancellationToken.None);
        stopwatch.Stop();

        var info = await _runtime.InspectAsync(id, CancellationToken.None);
        Assert.Equal(ContainerState.Exited, info?.State); // down when the call returns, as with a grace period
        Assert.Equal(137, info?.ExitCode);
        // Well below the engine's own 10 s default, which is what a dropped t=0 used to cost.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed.TotalMilliseconds} ms");
        await _runtime.StopAsync(id, TimeSpan.Zero, CancellationToken.None); // already stopped: fine
    }

    [Fact]
    public async Task Remove_with_force_removes_a_running_container()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("remove", "sleep", "1000"));

        await _runtime.RemoveAsync(id, force: true, CancellationToken.None);

        Assert.Null(await _runtime.InspectAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Memory_and_cpu_limits_reach_the_engine()
    {
        await using var containers = new TestContainers(_runtime);
        var spec = containers.Spec("limits", "true") with { MemoryBytes = 64L * 1024 * 1024, CpuMillis = 500 };

        var id = await _runtime.CreateAsync(spec, CancellationToken.None);

        var container = await engine.Client.Containers.InspectContainerAsync(id);
        Assert.Equal(64L * 1024 * 1024, container.HostConfig.Memory);
        Assert.Equal(500_000_000, container.HostConfig.NanoCPUs);
        // The engine stores "" (no policy), which Docker.DotNet reads as Undefined; "no" would mean the same.
        Assert.Contains(container.HostConfig.RestartPolicy.Name, new[] { RestartPolicyKind.Undefined, RestartPolicyKind.No });
    }
}
