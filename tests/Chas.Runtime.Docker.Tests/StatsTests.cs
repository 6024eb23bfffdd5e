namespace Chas.Runtime.Docker.Tests;

public sealed class StatsTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private readonly DockerContainerRuntime _runtime = engine.Runtime;

    [Fact]
    public async Task A_busy_container_shows_its_cpu_use_and_limits()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("busy", "sh", "-c", "while :; do :; done") with
        {
            CpuMillis = 1000,
            MemoryBytes = 64L * 1024 * 1024,
        });

        var first = await _runtime.GetStatsAsync(id, CancellationToken.None);
        Assert.NotNull(first);
        Assert.Equal(1000, first.CpuLimitMillis);
        Assert.Equal(64L * 1024 * 1024, first.MemoryLimitBytes);
        Assert.True(first.Pids >= 1, $"pids {first.Pids}");
        Assert.True(first.MemoryBytes > 0, $"memory {first.MemoryBytes}");

        // CPU use is the difference of two readings; poll until enough time passed for a fair average.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        long cpu = 0;
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(250);
            var now = await _runtime.GetStatsAsync(id, CancellationToken.None);
            Assert.NotNull(now);
            if (now.ReadAt - first.ReadAt < TimeSpan.FromSeconds(1)) continue;
            cpu = now.CpuMillisSince(first);
            if (cpu > 200) break;
            first = now;
        }
        Assert.True(cpu > 200, $"a busy loop used only {cpu}m of CPU");
        Assert.True(cpu <= 1100, $"{cpu}m is over the container's 1000m limit");
    }

    [Fact]
    public async Task A_stopped_or_missing_container_has_no_stats()
    {
        await using var containers = new TestContainers(_runtime);
        var (id, _) = await containers.RunToCompletionAsync(containers.Spec("done", "true"));

        Assert.Null(await _runtime.GetStatsAsync(id, CancellationToken.None));
        Assert.Null(await _runtime.GetStatsAsync("chas-no-such-container-" + containers.RunId, CancellationToken.None));
    }
}
