using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

/// <summary>Replicas of one deployment share a group: spread keeps them on different nodes, binpack does not.</summary>
public class ReplicaSpreadTests
{
    private readonly Scheduler _scheduler = Scheduler.CreateDefault();

    [Fact]
    public void Three_replicas_on_three_equal_nodes_land_one_per_node()
    {
        var nodes = PlaceReplicas(Cluster(Node("a"), Node("b"), Node("c")), Request(500, GiB, group: "api"), 3);
        Assert.Equal(["a", "b", "c"], nodes.Order());
    }

    [Fact]
    public void Anti_affinity_spreads_before_doubling_up_even_when_one_node_is_far_emptier()
    {
        // Least allocated alone puts all three on "big": even after two replicas it is emptier than "b" or "c".
        var cluster = Cluster(
            Node("big", 16000, 64 * GiB),
            Node("b", allocatedCpu: 2000, allocatedMemory: 4 * GiB),
            Node("c", allocatedCpu: 2000, allocatedMemory: 4 * GiB));
        Assert.Equal(["big", "big", "big"], PlaceReplicas(cluster, Request(1000, 2 * GiB), 3));

        var grouped = PlaceReplicas(cluster, Request(1000, 2 * GiB, group: "api"), 3);
        Assert.Equal(["b", "big", "c"], grouped.Order());
        Assert.Equal("big", grouped[0]);
    }

    [Fact]
    public void A_node_without_a_replica_wins_over_an_empty_one_with_a_replica_however_full_it_gets()
    {
        // The weight is what makes this hold: "empty" scores ~100 on free share, "full" ~0 once the request is on it.
        var cluster = Cluster(
            Node("empty", 100_000, 1000 * GiB, groupCounts: new Dictionary<string, int> { ["api"] = 1 }),
            Node("full", 4000, 8 * GiB, allocatedCpu: 3999, allocatedMemory: 8 * GiB - 1));
        Assert.Equal("full", _scheduler.Place(cluster, Request(1, 1, group: "api")).Node);
        Assert.Equal("empty", _scheduler.Place(cluster, Request(1, 1, group: "worker")).Node);
        Assert.Equal("empty", _scheduler.Place(cluster, Request(1, 1)).Node);
    }

    [Fact]
    public void Zero_request_replicas_spread_by_group_not_only_by_workload_count()
    {
        // "b" runs fewer workloads, but one of them is already a replica of "api".
        var cluster = Cluster(
            Node("a", workloads: 6),
            Node("b", workloads: 1, groupCounts: new Dictionary<string, int> { ["api"] = 1 }));
        Assert.Equal("a", _scheduler.Place(cluster, Request(group: "api")).Node);
        Assert.Equal("b", _scheduler.Place(cluster, Request()).Node);
    }

    [Fact]
    public void More_replicas_than_nodes_fill_every_node_once_then_go_round_again()
    {
        var cluster = Cluster(Node("big", 16000, 64 * GiB), Node("b"), Node("c"));
        var nodes = PlaceReplicas(cluster, Request(500, GiB, group: "api"), 6);
        Assert.Equal(["b", "big", "c"], nodes.Take(3).Order());
        Assert.All(nodes.CountBy(name => name), pair => Assert.Equal(2, pair.Value));
    }

    [Fact]
    public void A_node_that_cannot_fit_is_skipped_and_replicas_double_up_elsewhere()
    {
        var cluster = Cluster(Node("a"), Node("b"), Node("tiny", 100, GiB));
        var nodes = PlaceReplicas(cluster, Request(500, GiB, group: "api"), 3);
        Assert.DoesNotContain("tiny", nodes);
        Assert.Equal(2, nodes.Count(n => n == "a"));
    }

    [Fact]
    public void Binpack_packs_replicas_of_a_group_on_purpose()
    {
        var cluster = Cluster(Node("a"), Node("b"), Node("c"));
        Assert.Equal(["a", "a", "a"], PlaceReplicas(cluster, Request(500, GiB, PlacementStrategy.Binpack, group: "api"), 3));
    }

    [Fact]
    public void Assume_counts_the_replicas_per_node()
    {
        var cluster = Cluster(Node("a"), Node("b"));
        var request = Request(500, GiB, group: "api");
        for (var i = 0; i < 4; i++) cluster = _scheduler.Assume(cluster, request, _scheduler.Place(cluster, request));
        Assert.All(cluster.Nodes, node => Assert.Equal(2, node.GroupCounts["api"]));
    }

    private List<string> PlaceReplicas(ClusterSnapshot cluster, PlacementRequest request, int replicas)
    {
        var nodes = new List<string>();
        for (var i = 0; i < replicas; i++)
        {
            var result = _scheduler.Place(cluster, request);
            Assert.True(result.Success, result.Reason);
            nodes.Add(result.Node!);
            cluster = _scheduler.Assume(cluster, request, result);
        }
        return nodes;
    }
}
