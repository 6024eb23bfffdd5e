using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

/// <summary>Which GPUs a successful placement allocates, and how GPU rejections read.</summary>
public class GpuAllocationTests
{
    private readonly Scheduler _scheduler = Scheduler.CreateDefault();

    [Fact]
    public void A_count_gets_the_lowest_free_indices_whatever_the_node_lists_first()
    {
        var node = Node("a", gpus: [3, 1, 0, 2], usedGpus: [0]);
        Assert.Equal([1, 2], _scheduler.Place(Cluster(node), Request(gpus: 2)).GpuIndices);
    }

    [Fact]
    public void Exact_indices_are_allocated_as_asked()
    {
        var node = Node("a", gpus: [0, 1, 2, 3]);
        Assert.Equal([3, 1], _scheduler.Place(Cluster(node), Request(gpus: 1, gpuIndices: [3, 1])).GpuIndices);
    }

    [Fact]
    public void No_gpus_requested_allocates_none() =>
        Assert.Empty(_scheduler.Place(Cluster(Node("a", gpus: [0, 1])), Request(100, GiB)).GpuIndices);

    [Fact]
    public void The_request_goes_to_the_node_with_enough_free_gpus()
    {
        // "a" is emptier, so spread would pick it, but only "b" has two free GPUs.
        var cluster = Cluster(Node("a", gpus: [0, 1], usedGpus: [1]), Node("b", allocatedCpu: 3000, gpus: [0, 1]));
        var result = _scheduler.Place(cluster, Request(100, GiB, gpus: 2));
        Assert.Equal("b", result.Node);
        Assert.Equal([0, 1], result.GpuIndices);
        Assert.Equal("insufficient gpus", result.Rejections["a"]);
    }

    [Fact]
    public void Gpu_reasons_are_counted_with_the_others()
    {
        var cluster = Cluster(Node("a", gpus: [0]), Node("b", gpus: [0, 1], usedGpus: [1]), Node("c", memoryBytes: 1, gpus: [1]), Node("d"));
        Assert.Equal("0/4 nodes available: 2 gpu 1 not present, 1 gpu 1 in use, 1 insufficient memory",
            _scheduler.Place(cluster, Request(0, GiB, gpuIndices: [1])).Reason);
    }

    [Fact]
    public void A_batch_hands_out_each_gpu_once_until_none_is_left()
    {
        var cluster = Cluster(Node("a", gpus: [0, 1, 2]), Node("b", gpus: [0]));
        var handedOut = new List<string>();
        PlacementResult result;
        while ((result = _scheduler.Place(cluster, Request(100, GiB, gpus: 1))).Success)
        {
            handedOut.Add($"{result.Node}:{Assert.Single(result.GpuIndices)}");
            cluster = _scheduler.Assume(cluster, Request(100, GiB, gpus: 1), result);
        }
        Assert.Equal(["a:0", "b:0", "a:1", "a:2"], handedOut);
        Assert.Equal("0/2 nodes available: 2 insufficient gpus", result.Reason);
    }

    [Fact]
    public void A_scheduler_without_the_gpu_filter_refuses_to_invent_gpus()
    {
        var noGpuFilter = new Scheduler([new Filters.NodeReadyFilter()], new Dictionary<PlacementStrategy, IReadOnlyList<WeightedScorePlugin>>());
        Assert.Throws<InvalidOperationException>(() => noGpuFilter.Place(Cluster(Node("a", gpus: [0])), Request(gpus: 2)));
    }
}
