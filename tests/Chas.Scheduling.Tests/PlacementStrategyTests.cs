using Chas.Scheduling.Filters;
using Chas.Scheduling.Scorers;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

public class PlacementStrategyTests
{
    private readonly Scheduler _scheduler = Scheduler.CreateDefault();

    [Fact]
    public void Spread_picks_the_least_loaded_node()
    {
        var cluster = Cluster(
            Node("busy", allocatedCpu: 3000, allocatedMemory: 6 * GiB, workloads: 3),
            Node("idle"),
            Node("half", allocatedCpu: 2000, allocatedMemory: 4 * GiB, workloads: 2));
        Assert.Equal("idle", _scheduler.Place(cluster, Request(500, GiB)).Node);
    }

    [Fact]
    public void Spread_weighs_share_not_absolute_free_amount()
    {
        // "big" has more free cpu in absolute terms but is 75% full; "small" is empty.
        var cluster = Cluster(
            Node("big", 16000, 32 * GiB, allocatedCpu: 12000, allocatedMemory: 24 * GiB),
            Node("small", 2000, 4 * GiB));
        Assert.Equal("small", _scheduler.Place(cluster, Request(500, GiB)).Node);
    }

    [Fact]
    public void Binpack_picks_the_most_loaded_node_that_still_fits()
    {
        var cluster = Cluster(
            Node("full", allocatedCpu: 3800, allocatedMemory: 7 * GiB, workloads: 5),
            Node("idle"),
            Node("half", allocatedCpu: 2000, allocatedMemory: 4 * GiB, workloads: 2),
            Node("most", allocatedCpu: 3000, allocatedMemory: 6 * GiB, workloads: 3));
        var result = _scheduler.Place(cluster, Request(500, GiB, PlacementStrategy.Binpack));
        Assert.Equal("most", result.Node);
        Assert.Equal("insufficient cpu", result.Rejections["full"]);
    }

    [Fact]
    public void Spread_sends_zero_requests_to_the_node_with_fewest_workloads()
    {
        var cluster = Cluster(Node("a", workloads: 4), Node("b", workloads: 1), Node("c", workloads: 2));
        Assert.Equal("b", _scheduler.Place(cluster, Request()).Node);
    }

    [Fact]
    public void Equal_scores_go_to_fewer_workloads_then_to_the_ordinal_lowest_name()
    {
        // A scheduler without scorers: every node ties, so only the tie-breakers decide.
        var tiesOnly = new Scheduler([new NodeReadyFilter()], new Dictionary<PlacementStrategy, IReadOnlyList<WeightedScorePlugin>>());
        Assert.Equal("b", tiesOnly.Place(Cluster(Node("c", workloads: 1), Node("b", workloads: 1), Node("z", workloads: 2)), Request()).Node);
        Assert.Equal("Z", tiesOnly.Place(Cluster(Node("a"), Node("Z")), Request()).Node);
        Assert.Equal("n", tiesOnly.Place(Cluster(Node("a", workloads: 9), Node("n")), Request()).Node);
    }

    [Fact]
    public void Same_snapshot_and_request_give_the_same_node_whatever_the_node_order()
    {
        var nodes = Enumerable.Range(0, 20).Select(i => Node($"n{i:D2}", workloads: i % 3)).ToArray();
        var forward = _scheduler.Place(new ClusterSnapshot(nodes), Request(100, GiB)).Node;
        var backward = _scheduler.Place(new ClusterSnapshot(nodes.Reverse().ToArray()), Request(100, GiB)).Node;
        Assert.Equal("n00", forward);
        Assert.Equal(forward, backward);
    }

    [Fact]
    public void Weights_combine_scorers()
    {
        // Spread at weight 1 against binpack at weight 3: binpack's preference wins.
        var mixed = new Scheduler([new NodeReadyFilter()], new Dictionary<PlacementStrategy, IReadOnlyList<WeightedScorePlugin>>
        {
            [PlacementStrategy.Spread] = [new WeightedScorePlugin(new LeastAllocatedScorer(), 1), new WeightedScorePlugin(new MostAllocatedScorer(), 3)],
        });
        var cluster = Cluster(Node("idle"), Node("half", allocatedCpu: 2000, allocatedMemory: 4 * GiB));
        Assert.Equal("half", mixed.Place(cluster, Request(100, GiB)).Node);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Weights_outside_0_to_100_are_refused(int weight) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightedScorePlugin(new LeastAllocatedScorer(), weight));

    [Fact]
    public void Unknown_strategy_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _scheduler.Place(Cluster(Node("a")), Request(strategy: (PlacementStrategy)42)));
}
