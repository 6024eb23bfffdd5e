using Chas.Scheduling.Scorers;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

public class AllocationScorerTests
{
    private readonly LeastAllocatedScorer _least = new();
    private readonly MostAllocatedScorer _most = new();

    [Fact]
    public void Least_allocated_scores_the_free_share_after_placement_averaged_over_cpu_and_memory()
    {
        // After placement: cpu 2000/4000 used, memory 6/8 used → free 50% and 25% → 37.5.
        var node = Node("a", 4000, 8 * GiB, allocatedCpu: 1000, allocatedMemory: 4 * GiB);
        Assert.Equal(37.5, _least.Score(node, Request(1000, 2 * GiB)), 9);
    }

    [Fact]
    public void Most_allocated_scores_the_used_share_after_placement()
    {
        var node = Node("a", 4000, 8 * GiB, allocatedCpu: 1000, allocatedMemory: 4 * GiB);
        Assert.Equal(62.5, _most.Score(node, Request(1000, 2 * GiB)), 9);
    }

    [Fact]
    public void Scores_stay_between_0_and_100()
    {
        var empty = Node("a");
        var overCommitted = Node("b", 1000, GiB, allocatedCpu: 5000, allocatedMemory: 5 * GiB);
        var request = Request(1, 1);
        foreach (var node in new[] { empty, overCommitted })
        {
            Assert.InRange(_least.Score(node, request), 0, 100);
            Assert.InRange(_most.Score(node, request), 0, 100);
        }
        Assert.Equal(0, _least.Score(overCommitted, request));
        Assert.Equal(100, _most.Score(overCommitted, request));
    }

    [Fact]
    public void A_dimension_the_node_lacks_is_left_out_of_the_average()
    {
        var memoryOnly = Node("a", cpuMillis: 0, memoryBytes: 4 * GiB);
        Assert.Equal(75, _least.Score(memoryOnly, Request(0, GiB)), 9);
    }

    [Fact]
    public void Least_allocated_prefers_the_emptier_node()
    {
        var request = Request(500, GiB);
        Assert.True(_least.Score(Node("empty"), request) > _least.Score(Node("busy", allocatedCpu: 2000, allocatedMemory: 2 * GiB), request));
    }

    [Fact]
    public void For_zero_requests_least_allocated_prefers_fewer_workloads_and_most_allocated_more()
    {
        var request = Request();
        var few = Node("few", workloads: 1);
        var many = Node("many", workloads: 7);
        Assert.True(_least.Score(few, request) > _least.Score(many, request));
        Assert.True(_most.Score(many, request) > _most.Score(few, request));
        Assert.Equal(100, _least.Score(Node("idle"), request));
        Assert.Equal(0, _most.Score(Node("idle"), request));
    }
}
