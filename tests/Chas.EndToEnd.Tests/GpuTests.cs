using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>
/// GPUs as an agent's nvidia-smi reports them (a fake one here: the engine has no NVIDIA runtime, so the
/// container sees its allocation only through NVIDIA_VISIBLE_DEVICES, which is what the runtime sets).
/// </summary>
public sealed class GpuTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static readonly string[] PrintVisibleDevices = ["sh", "-c", "echo $NVIDIA_VISIBLE_DEVICES"];

    [Fact]
    public async Task Gpu_tasks_land_on_the_only_gpu_node_get_the_gpus_they_ask_for_and_too_many_stay_pending()
    {
        var cluster = await StartClusterAsync();
        var server = cluster.Server;
        var gpuNode = (await cluster.AddAgentAsync("gpu", gpus: 4)).NodeName;

        var nodes = await server.Cli.ListNodesAsync();
        var withGpus = Assert.Single(nodes, n => n.Gpus.Count > 0);
        Assert.Equal(gpuNode, withGpus.Name);
        Assert.Equal([0, 1, 2, 3], withGpus.Gpus.Select(g => g.Index));
        Assert.All(withGpus.Gpus, g =>
        {
            Assert.Equal(FakeNvidiaSmi.Model, g.Model);
            Assert.Equal(FakeNvidiaSmi.MemoryMiB * 1024 * 1024, g.MemoryBytes);
        });
        Assert.Equal(4, nodes.Count(n => n.Status == "ready"));

        await server.RunTaskAsync("gpujob", PrintVisibleDevices, "--gpus", "2");
        var any2 = await server.WaitForStatusAsync("gpujob", TaskPhase.Completed);
        Assert.Equal(gpuNode, any2.Node);
        Assert.Equal([0, 1], any2.AssignedGpus);
        Assert.Equal("0,1\n", (await server.Cli.RunAsync("logs", "gpujob")).Stdout);

        await server.RunTaskAsync("gpujob-3", PrintVisibleDevices, "--gpu-indices", "3");
        var exact = await server.WaitForStatusAsync("gpujob-3", TaskPhase.Completed);
        Assert.Equal(gpuNode, exact.Node);
        Assert.Equal([3], exact.AssignedGpus);
        Assert.Equal("3\n", (await server.Cli.RunAsync("logs", "gpujob-3")).Stdout);

        var listed = Assert.Single(await server.Cli.ListAllTasksAsync(), t => t.Name == "gpujob");
        Assert.Equal([0, 1], listed.AssignedGpus);

        // No node has five: the task waits, and says why.
        await server.RunTaskAsync("gpujob-5", PrintVisibleDevices, "--gpus", "5");
        var pending = await server.WaitForTaskAsync("gpujob-5", t => t.Reason?.Contains("insufficient gpus", StringComparison.Ordinal) == true,
            "to be pending for want of GPUs");
        Assert.Equal(TaskPhase.Pending, pending.Status);
        Assert.Null(pending.Node);
        Assert.Empty(pending.AssignedGpus);
        var listedPending = Assert.Single(await server.Cli.ListAllTasksAsync(), t => t.Name == "gpujob-5");
        Assert.Equal("pending", listedPending.Status);
        Assert.Contains("insufficient gpus", listedPending.Reason, StringComparison.Ordinal);
    }
}
