namespace Chas.Runtime.Docker.Tests;

/// <summary>Mounts of a spec reach the kernel: the container sees them, and a read-only bind refuses writes.</summary>
public sealed class MountTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>, IDisposable
{
    private readonly DockerContainerRuntime _runtime = engine.Runtime;
    private readonly string _hostDirectory = Directory.CreateTempSubdirectory("chas-mount-test-").FullName;

    public void Dispose() => Directory.Delete(_hostDirectory, recursive: true);

    [Fact]
    public async Task A_bind_mount_shows_the_node_file_and_a_tmpfs_is_a_tmpfs()
    {
        await File.WriteAllTextAsync(Path.Combine(_hostDirectory, "greeting"), "hello from the node");
        await using var containers = new TestContainers(_runtime);
        var spec = containers.Spec("mounts", "sh", "-c",
            "grep -q 'hello from the node' /data/greeting || exit 2; grep -q ' /scratch tmpfs ' /proc/mounts || exit 3")
            with { Mounts = [new MountSpec(MountType.Bind, _hostDirectory, "/data"), new MountSpec(MountType.Tmpfs, "", "/scratch")] };

        var (_, exit) = await containers.RunToCompletionAsync(spec);

        Assert.Equal(0, exit.ExitCode);
    }

    [Fact]
    public async Task A_read_only_bind_refuses_writes_and_a_writable_one_takes_them()
    {
        await using var containers = new TestContainers(_runtime);
        const string Write = "echo x > /data/written 2>/dev/null && exit 0 || exit 4";

        var (_, readOnly) = await containers.RunToCompletionAsync(containers.Spec("ro", "sh", "-c", Write)
            with { Mounts = [new MountSpec(MountType.Bind, _hostDirectory, "/data", ReadOnly: true)] });
        Assert.Equal(4, readOnly.ExitCode);
        Assert.False(File.Exists(Path.Combine(_hostDirectory, "written")));

        // The same write on a writable bind, so the read-only case cannot pass merely because every write fails.
        var (_, writable) = await containers.RunToCompletionAsync(containers.Spec("rw", "sh", "-c", Write)
            with { Mounts = [new MountSpec(MountType.Bind, _hostDirectory, "/data")] });
        Assert.Equal(0, writable.ExitCode);
        Assert.True(File.Exists(Path.Combine(_hostDirectory, "written")));
    }

    [Fact]
    public async Task The_engine_reports_binds_tmpfs_and_the_default_networks()
    {
        var capabilities = await _runtime.GetCapabilitiesAsync(CancellationToken.None);

        Assert.Contains(MountType.Bind, capabilities.MountTypes);
        Assert.Contains(MountType.Tmpfs, capabilities.MountTypes);
        Assert.Contains(NetworkMode.Bridge, capabilities.NetworkModes);
        Assert.Contains(NetworkMode.Host, capabilities.NetworkModes);
    }
}
