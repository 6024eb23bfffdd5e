using System.Collections.Immutable;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

/// <summary>Placing a batch before any bind is persisted: each placement must see the ones before it.</summary>
public class AssumeTests
{
    private readonly Scheduler _scheduler = Scheduler.CreateDefault();

    [Fact]
    public void Assume_adds_requests_workloads_and_ports_to_that_node_only()
    {
        var cluster = Cluster(Node("a", allocatedCpu: 100, allocatedMemory: GiB, workloads: 1, usedPorts: ["20000/tcp"]), Node("b"));
        var request = Request(500, 2 * GiB);
        PublishedPort[] ports = [new() { ContainerPort = 80, HostPort = 20001, HostIp = "a.nodes.test" }, new() { ContainerPort = 53, HostPort = 20001, Protocol = "udp" }];

        var assumed = _scheduler.Assume(cluster, "a", request, ports);

        var a = assumed.Nodes[0];
        Assert.Equal(Amounts(600, 3 * GiB), a.Allocated);
        Assert.Equal(2, a.Workloads);
        Assert.Equal(new HashSet<string> { "20000/tcp", "20001/tcp", "20001/udp" }, a.UsedPorts);
        Assert.Same(cluster.Nodes[1], assumed.Nodes[1]);
        // The input snapshot is untouched.
        Assert.Equal(1, cluster.Nodes[0].Workloads);
        Assert.Single(cluster.Nodes[0].UsedPorts);
    }

    [Fact]
    public void Assume_accumulates_over_a_batch_until_the_node_is_full()
    {
        var cluster = Cluster(Node("only", 1000, 4 * GiB, portRange: new PortRange(20000, 20009)));
        var request = Request(300, GiB, ports: [Auto()]);
        var placed = new List<PlacementResult>();
        for (var i = 0; i < 4; i++)
        {
            var result = _scheduler.Place(cluster, request);
            if (!result.Success) { placed.Add(result); break; }
            placed.Add(result);
            cluster = _scheduler.Assume(cluster, result.Node!, request, result.Ports);
        }

        Assert.Equal([20000, 20001, 20002], placed.Take(3).Select(r => Assert.Single(r.Ports).HostPort));
        Assert.Equal("0/1 nodes available: 1 insufficient cpu", placed[3].Reason);
        Assert.Equal(Amounts(900, 3 * GiB), cluster.Nodes[0].Allocated);
        Assert.Equal(3, cluster.Nodes[0].Workloads);
    }

    [Fact]
    public void Assume_steers_the_next_spread_placement_elsewhere()
    {
        var cluster = Cluster(Node("a"), Node("b"));
        var request = Request(1000, GiB);
        var first = _scheduler.Place(cluster, request);
        cluster = _scheduler.Assume(cluster, first.Node!, request, first.Ports);
        var second = _scheduler.Place(cluster, request);
        Assert.NotEqual(first.Node, second.Node);
    }

    [Fact]
    public void Assume_keeps_an_immutable_array_and_does_not_copy_node_records()
    {
        var nodes = Enumerable.Range(0, 100).Select(i => Node($"n{i}")).ToArray();
        var once = _scheduler.Assume(new ClusterSnapshot(nodes), "n50", Request(1, 1), []);
        var twice = _scheduler.Assume(once, "n7", Request(1, 1), []);
        Assert.IsType<ImmutableArray<NodeSnapshot>>(twice.Nodes);
        Assert.Same(nodes[0], twice.Nodes[0]);
        Assert.Same(once.Nodes[50], twice.Nodes[50]);
        Assert.Equal(1, twice.Nodes[7].Workloads);
        Assert.Equal(0, once.Nodes[7].Workloads);
    }

    [Fact]
    public void Assume_on_an_unknown_node_throws() =>
        Assert.Throws<ArgumentException>(() => _scheduler.Assume(Cluster(Node("a")), "ghost", Request(), []));

    [Fact]
    public void Assume_adds_the_allocated_gpus_and_the_group_to_that_node_only()
    {
        var cluster = Cluster(
            Node("a", gpus: [0, 1, 2, 3], usedGpus: [0], groupCounts: new Dictionary<string, int> { ["api"] = 1, ["db"] = 1 }),
            Node("b", gpus: [0, 1]));
        var request = Request(100, GiB, gpus: 2, group: "api");
        var result = _scheduler.Place(Cluster(cluster.Nodes[0]), request);
        Assert.Equal([1, 2], result.GpuIndices);

        var assumed = _scheduler.Assume(cluster, request, result);

        var a = assumed.Nodes[0];
        Assert.Equal(new HashSet<int> { 0, 1, 2 }, a.UsedGpus);
        Assert.Equal(new Dictionary<string, int> { ["api"] = 2, ["db"] = 1 }, a.GroupCounts);
        Assert.Same(cluster.Nodes[1], assumed.Nodes[1]);
        // The input snapshot is untouched.
        Assert.Equal(new HashSet<int> { 0 }, cluster.Nodes[0].UsedGpus);
        Assert.Equal(1, cluster.Nodes[0].GroupCounts["api"]);
    }

    [Fact]
    public void Assume_starts_a_group_count_on_a_node_that_had_none()
    {
        var assumed = _scheduler.Assume(Cluster(Node("a")), "a", Request(group: "api"), []);
        Assert.Equal(new Dictionary<string, int> { ["api"] = 1 }, assumed.Nodes[0].GroupCounts);
    }

    [Fact]
    public void Assume_without_gpus_or_group_keeps_those_sets_as_they_were()
    {
        var node = Node("a", gpus: [0], usedGpus: [0], groupCounts: new Dictionary<string, int> { ["api"] = 1 });
        var assumed = _scheduler.Assume(Cluster(node), "a", Request(100, GiB, group: ""), []).Nodes[0];
        Assert.Same(node.UsedGpus, assumed.UsedGpus);
        Assert.Same(node.GroupCounts, assumed.GroupCounts);
    }

    [Fact]
    public void Assume_by_node_name_allocates_the_gpus_place_would_have()
    {
        var cluster = Cluster(Node("a", gpus: [2, 0, 1], usedGpus: [0]));
        var byCount = _scheduler.Assume(cluster, "a", Request(gpus: 1), []);
        Assert.Equal(new HashSet<int> { 0, 1 }, byCount.Nodes[0].UsedGpus);
        var exact = _scheduler.Assume(cluster, "a", Request(gpuIndices: [2]), []);
        Assert.Equal(new HashSet<int> { 0, 2 }, exact.Nodes[0].UsedGpus);
        Assert.Throws<InvalidOperationException>(() => _scheduler.Assume(cluster, "a", Request(gpus: 3), []));
    }

    [Fact]
    public void Assume_takes_explicit_gpus_as_given()
    {
        var assumed = _scheduler.Assume(Cluster(Node("a", gpus: [0, 1, 2])), "a", Request(gpus: 1), [], [2]);
        Assert.Equal(new HashSet<int> { 2 }, assumed.Nodes[0].UsedGpus);
    }

    [Fact]
    public void Assume_of_a_failed_placement_throws()
    {
        var cluster = Cluster(Node("a"));
        var failed = _scheduler.Place(cluster, Request(gpus: 1));
        Assert.False(failed.Success);
        Assert.Throws<ArgumentException>(() => _scheduler.Assume(cluster, Request(gpus: 1), failed));
    }
}
