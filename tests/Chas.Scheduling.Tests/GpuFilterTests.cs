using Chas.Scheduling.Filters;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

public class GpuFilterTests
{
    private readonly GpuFilter _filter = new();
    private static readonly int[] FourGpus = [0, 1, 2, 3];

    [Fact]
    public void Zero_gpus_requested_always_fits()
    {
        var noGpus = Node("a");
        var allUsed = Node("b", gpus: FourGpus, usedGpus: FourGpus);
        foreach (var node in new[] { noGpus, allUsed })
        {
            Assert.True(_filter.Filter(node, Request()).IsSuccess);
            Assert.True(_filter.Filter(node, Request(gpus: -1)).IsSuccess);
        }
    }

    [Fact]
    public void Count_fits_while_enough_gpus_are_free()
    {
        var node = Node("a", gpus: FourGpus, usedGpus: [0, 2]);
        Assert.True(_filter.Filter(node, Request(gpus: 2)).IsSuccess);
        Assert.Equal("insufficient gpus", _filter.Filter(node, Request(gpus: 3)).Reason);
    }

    [Fact]
    public void Count_on_a_node_without_gpus_is_insufficient() =>
        Assert.Equal("insufficient gpus", _filter.Filter(Node("a"), Request(gpus: 1)).Reason);

    [Fact]
    public void Used_indices_the_node_does_not_list_take_nothing_from_it()
    {
        // A stale used index (say, from a GPU since removed) must not hide a free one.
        var node = Node("a", gpus: [0, 1], usedGpus: [0, 7]);
        Assert.True(_filter.Filter(node, Request(gpus: 1)).IsSuccess);
        Assert.False(_filter.Filter(node, Request(gpus: 2)).IsSuccess);
    }

    [Fact]
    public void An_index_listed_twice_is_one_gpu() =>
        Assert.Equal("insufficient gpus", _filter.Filter(Node("a", gpus: [0, 0]), Request(gpus: 2)).Reason);

    [Fact]
    public void Exact_free_indices_fit() =>
        Assert.True(_filter.Filter(Node("a", gpus: FourGpus, usedGpus: [0]), Request(gpuIndices: [3, 1])).IsSuccess);

    [Fact]
    public void Exact_index_not_on_the_node_is_not_present() =>
        Assert.Equal("gpu 4 not present", _filter.Filter(Node("a", gpus: FourGpus), Request(gpuIndices: [1, 4])).Reason);

    [Fact]
    public void Exact_index_held_by_other_work_is_in_use() =>
        Assert.Equal("gpu 2 in use", _filter.Filter(Node("a", gpus: FourGpus, usedGpus: [2]), Request(gpuIndices: [2])).Reason);

    [Fact]
    public void Exact_index_asked_for_twice_is_rejected() =>
        Assert.Equal("gpu 1 requested twice", _filter.Filter(Node("a", gpus: FourGpus), Request(gpuIndices: [1, 1])).Reason);

    [Fact]
    public void Exact_indices_win_over_the_count()
    {
        var node = Node("a", gpus: FourGpus, usedGpus: [0, 1, 2]);
        Assert.True(_filter.Filter(node, Request(gpus: 4, gpuIndices: [3])).IsSuccess);
        Assert.Equal("gpu 0 in use", _filter.Filter(Node("b", gpus: FourGpus, usedGpus: [0]), Request(gpus: 1, gpuIndices: [0])).Reason);
    }

    [Fact]
    public void Used_gpus_in_any_set_type_are_seen()
    {
        var node = Node("a", gpus: FourGpus) with { UsedGpus = new SortedSet<int> { 1 } };
        Assert.Equal("gpu 1 in use", _filter.Filter(node, Request(gpuIndices: [1])).Reason);
        var defaults = new NodeSnapshot { Name = "d", Allocatable = Amounts(1000, GiB), Gpus = [5] };
        Assert.True(_filter.Filter(defaults, Request(gpuIndices: [5])).IsSuccess);
    }
}
