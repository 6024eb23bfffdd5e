using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>A task no node can take says why, and (with a short pending timeout) fails with that reason.</summary>
public sealed class PendingTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    private const string NoCpuAnywhere = "0/1 nodes available: 1 insufficient cpu";

    [Fact]
    public async Task A_task_asking_for_500_cores_stays_pending_with_the_scheduler_reason()
    {
        await Dev.RunTaskAsync("wants-500-cores", ["true"], "--cpu", "500");

        await Dev.WaitForTaskAsync("wants-500-cores", t => t.Reason == NoCpuAnywhere, $"to be pending with reason '{NoCpuAnywhere}'");

        // A task that fits is scheduled, runs and ends after it: the scheduler has looked again since, and still left the big one alone.
        await Dev.RunTaskAsync("fits-after-500-cores", ["true"]);
        await Dev.WaitForStatusAsync("fits-after-500-cores", TaskPhase.Completed);
        var big = Assert.Single(await Dev.Cli.ListAllTasksAsync(), t => t.Name == "wants-500-cores");
        Assert.Equal("pending", big.Status);
        Assert.Equal(NoCpuAnywhere, big.Reason);
        Assert.Null(big.Node);

        var inspect = await Dev.Cli.RunAsync("inspect", "wants-500-cores", "-o", "table");
        Assert.Contains(inspect.StdoutLines, line => line.StartsWith("reason", StringComparison.Ordinal) && line.EndsWith(NoCpuAnywhere, StringComparison.Ordinal));

        var removed = await Dev.Cli.RunAsync("rm", "wants-500-cores");
        Assert.True(removed.ExitCode == 0, $"a pending task is removed without --force\n{removed}");
    }
}

/// <summary>Its own `chas dev`, started with a 3 s pending timeout.</summary>
public sealed class PendingTimeoutTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string NoCpuAnywhere = "0/1 nodes available: 1 insufficient cpu";
    private static readonly TimeSpan PendingTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_task_no_node_can_take_fails_after_the_pending_timeout_with_the_reason()
    {
        var dev = await StartDevAsync("--pending-timeout", "3s");

        await dev.RunTaskAsync("wants-500-cores", ["true"], "--cpu", "500");

        var failed = await dev.WaitForStatusAsync("wants-500-cores", TaskPhase.Failed, TimeSpan.FromSeconds(20));
        Assert.NotNull(failed.Error);
        Assert.Contains(NoCpuAnywhere, failed.Error);
        Assert.Contains("3s", failed.Error);
        Assert.Null(failed.Node);
        Assert.NotNull(failed.FinishedAt);
        Assert.True(failed.FinishedAt.Value - failed.CreatedAt >= PendingTimeout,
            $"failed after {(failed.FinishedAt.Value - failed.CreatedAt).TotalSeconds:0.###} s, before the {PendingTimeout.TotalSeconds} s timeout");
        var listed = Assert.Single(await dev.Cli.ListAllTasksAsync(), t => t.Name == "wants-500-cores");
        Assert.Equal("failed", listed.Status);
    }
}
