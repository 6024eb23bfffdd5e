using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>A task's memory limit is enforced by the engine, and its end says why.</summary>
public sealed class ResourceLimitTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    /// <summary>After a second (the engine can miss an OOM kill right at start), 32 MiB in one buffer: dd allocates it whole.</summary>
    private static readonly string[] Allocates32MiB = ["sh", "-c", "sleep 1; dd if=/dev/zero bs=32M count=1 | cat > /dev/null"];

    [Fact]
    public async Task A_task_over_its_memory_limit_fails_as_oom_killed_and_the_same_task_within_its_limit_completes()
    {
        await Dev.RunTaskAsync("oom-8mi", Allocates32MiB, "--memory", "8Mi");
        await Dev.RunTaskAsync("oom-64mi", Allocates32MiB, "--memory", "64Mi");

        var killed = await Dev.WaitForStatusAsync("oom-8mi", TaskPhase.Failed);
        Assert.StartsWith("oom-killed", killed.Error, StringComparison.Ordinal);
        var listed = Assert.Single(await Dev.Cli.ListAllTasksAsync(), t => t.Name == "oom-8mi");
        Assert.Equal("failed", listed.Status);
        Assert.StartsWith("oom-killed", listed.Error, StringComparison.Ordinal);

        // The limit, not the command, is what killed it.
        var fits = await Dev.WaitForStatusAsync("oom-64mi", TaskPhase.Completed);
        Assert.Equal(0, fits.ExitCode);
        Assert.Null(fits.Error);
    }
}
