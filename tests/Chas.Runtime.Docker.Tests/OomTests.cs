namespace Chas.Runtime.Docker.Tests;

public sealed class OomTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private readonly DockerContainerRuntime _runtime = engine.Runtime;

    [Fact]
    public async Task A_container_over_its_memory_limit_is_reported_as_oom_killed()
    {
        await using var containers = new TestContainers(_runtime);
        // dd allocates one bs-sized buffer and fills it from /dev/zero: 32 MiB of touched memory against an 8 MiB limit.
        // The sleep first is deliberate: on this engine (docker 20.10, cgroup v1) containerd starts watching the
        // cgroup for OOM events only after the process starts, and misses kills in the first moments (about one
        // run in five without the sleep, none in 70 with 0.3-0.5 s). The runtime can only report what the engine saw.
        var spec = containers.Spec("oom", "sh", "-c", "sleep 0.5; exec dd if=/dev/zero of=/dev/null bs=32M count=1") with
        {
            MemoryBytes = 8L * 1024 * 1024,
        };

        var (id, exit) = await containers.RunToCompletionAsync(spec);

        Assert.Equal(137, exit.ExitCode); // SIGKILL from the OOM killer
        Assert.True(exit.OomKilled);
        Assert.True((await _runtime.InspectAsync(id, CancellationToken.None))?.OomKilled);
    }
}
