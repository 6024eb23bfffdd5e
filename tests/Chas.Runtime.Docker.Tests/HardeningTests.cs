namespace Chas.Runtime.Docker.Tests;

/// <summary>What the engine reports, and what the kernel applies, for containers started through the runtime.</summary>
public sealed class HardeningTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private readonly DockerContainerRuntime _runtime = engine.Runtime;

    /// <summary>Bit mask of <see cref="DockerRuntimeOptions.DefaultCapabilitySet"/> as /proc/PID/status prints it.</summary>
    private const string DefaultCapabilityMask = "00000000000405fb"; // CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4,
    // KILL 5, SETGID 6, SETUID 7, SETPCAP 8, NET_BIND_SERVICE 10, SYS_CHROOT 18

    [Fact]
    public async Task A_plain_container_is_unprivileged_limited_and_published_on_the_given_address_only()
    {
        await using var containers = new TestContainers(_runtime);
        var spec = containers.Spec("plain", "sleep", "1000") with
        {
            // Host port 0: the engine picks a free one, so parallel runs never collide.
            Ports = [new PortBinding(ContainerPort: 8080, HostPort: 0, HostIp: "127.0.0.1")],
        };

        var id = await containers.StartAsync(spec);

        var container = await engine.Client.Containers.InspectContainerAsync(id);
        var host = container.HostConfig;
        Assert.False(host.Privileged);
        Assert.Equal(["ALL"], host.CapDrop);
        Assert.Equal(DockerRuntimeOptions.DefaultCapabilitySet, host.CapAdd);
        Assert.Contains("no-new-privileges", host.SecurityOpt);
        Assert.Equal(1024, host.PidsLimit);
        Assert.Equal(512L * 1024 * 1024, host.Memory);
        Assert.Equal(1_000_000_000, host.NanoCPUs);
        Assert.False(host.ReadonlyRootfs);
        Assert.Equal("127.0.0.1", Assert.Single(host.PortBindings["8080/tcp"]).HostIP);
        // What the engine actually bound, not only what it was asked for.
        var bound = Assert.Single(container.NetworkSettings.Ports["8080/tcp"]);
        Assert.Equal("127.0.0.1", bound.HostIP);
        Assert.NotEqual("0", bound.HostPort);
    }

    [Fact]
    public async Task Asked_for_limits_win_over_the_defaults()
    {
        await using var containers = new TestContainers(_runtime);
        var spec = containers.Spec("asked", "true") with { MemoryBytes = 96L * 1024 * 1024, CpuMillis = 250 };

        var id = await _runtime.CreateAsync(spec, CancellationToken.None);

        var host = (await engine.Client.Containers.InspectContainerAsync(id)).HostConfig;
        Assert.Equal((96L * 1024 * 1024, 250_000_000L), (host.Memory, host.NanoCPUs));
        Assert.Equal(1024, host.PidsLimit); // the rest of the hardening stays
        Assert.Equal(["ALL"], host.CapDrop);
    }

    [Fact]
    public async Task The_kernel_applies_no_new_privileges_and_the_capability_set()
    {
        await using var containers = new TestContainers(_runtime);

        var (id, exit) = await containers.RunToCompletionAsync(
            containers.Spec("caps", "sh", "-c", "grep -E '^(NoNewPrivs|CapBnd|CapEff):' /proc/self/status"));

        Assert.Equal(0, exit.ExitCode);
        var status = (await _runtime.ReadLogsAsync(id, new LogOptions(), CancellationToken.None).ToListAsync())
            .Select(line => line.Text.Split(':', 2))
            .ToDictionary(field => field[0], field => field[1].Trim());
        Assert.Equal("1", status["NoNewPrivs"]);
        Assert.Equal(DefaultCapabilityMask, status["CapBnd"]);
        Assert.Equal(DefaultCapabilityMask, status["CapEff"]); // root in the container, so effective = bounding
    }

    /// <summary>Exit 2: / was writable; 3: /tmp was not; 4: /run was not; 0: as a read-only root should be.</summary>
    private const string WriteProbe =
        "if touch /probe 2>/dev/null; then exit 2; fi; " +
        "echo ok > /tmp/probe && [ \"$(cat /tmp/probe)\" = ok ] || exit 3; " +
        "echo ok > /run/probe || exit 4";

    [Fact]
    public async Task A_read_only_root_refuses_writes_but_tmp_and_run_take_them()
    {
        await using var containers = new TestContainers(_runtime);
        var spec = containers.Spec("read-only", "sh", "-c", WriteProbe) with { ReadOnlyRootFilesystem = true };

        var (id, exit) = await containers.RunToCompletionAsync(spec);

        Assert.Equal(0, exit.ExitCode);
        var host = (await engine.Client.Containers.InspectContainerAsync(id)).HostConfig;
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal(["/run", "/tmp"], host.Tmpfs.Keys.Order());
    }

    [Fact]
    public async Task Without_read_only_the_root_is_writable()
    {
        await using var containers = new TestContainers(_runtime);

        // The same probe, so the read-only test above cannot pass merely because every write fails.
        var (_, exit) = await containers.RunToCompletionAsync(containers.Spec("writable", "sh", "-c", WriteProbe));

        Assert.Equal(2, exit.ExitCode);
    }
}
