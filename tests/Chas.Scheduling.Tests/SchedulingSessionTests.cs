using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

/// <summary>A session places a batch on its own working copy: each placement is assumed at once, the input is never touched.</summary>
public class SchedulingSessionTests
{
    private readonly Scheduler _scheduler = Scheduler.CreateDefault();

    [Fact]
    public void Each_placement_is_assumed_so_the_next_one_sees_it()
    {
        var session = _scheduler.StartSession(Cluster(Node("only", 1000, 4 * GiB, portRange: new PortRange(20000, 20009))));
        var request = Request(300, GiB, ports: [Auto()]);

        var placed = Enumerable.Range(0, 4).Select(_ => session.Place(request)).ToList();

        Assert.Equal([20000, 20001, 20002], placed.Take(3).Select(r => Assert.Single(r.Ports).HostPort));
        Assert.Equal("0/1 nodes available: 1 insufficient cpu", placed[3].Reason);
        var only = session.Node("only")!;
        Assert.Equal(Amounts(900, 3 * GiB), only.Allocated);
        Assert.Equal(3, only.Workloads);
        Assert.Equal(new HashSet<string> { "20000/tcp", "20001/tcp", "20002/tcp" }, only.UsedPorts);
    }

    [Fact]
    public void Gpus_and_groups_are_assumed_too()
    {
        var session = _scheduler.StartSession(Cluster(
            Node("a", gpus: [0, 1, 2], usedGpus: [0], groupCounts: new Dictionary<string, int> { ["db"] = 1 }),
            Node("b")));
        var request = Request(100, GiB, gpus: 1, group: "api");

        Assert.Equal([1], session.Place(request).GpuIndices);
        Assert.Equal([2], session.Place(request).GpuIndices);
        Assert.Equal("0/2 nodes available: 2 insufficient gpus", session.Place(request).Reason);

        var a = session.Node("a")!;
        Assert.Equal(new HashSet<int> { 0, 1, 2 }, a.UsedGpus);
        Assert.Equal(new Dictionary<string, int> { ["api"] = 2, ["db"] = 1 }, a.GroupCounts);
        Assert.Empty(session.Node("b")!.GroupCounts);
    }

    [Fact]
    public void The_snapshot_it_started_from_is_untouched()
    {
        var cluster = Cluster(Node("a", usedPorts: ["20000/tcp"], gpus: [0, 1], groupCounts: new Dictionary<string, int> { ["api"] = 1 }), Node("b"));
        var before = cluster.Nodes.ToArray();
        var session = _scheduler.StartSession(cluster);
        for (var i = 0; i < 4; i++) session.Place(Request(100, GiB, ports: [Auto()], gpus: i % 2, group: "api"));

        Assert.Equal(before, cluster.Nodes);
        Assert.Equal(0, cluster.Nodes[0].Workloads);
        Assert.Equal(["20000/tcp"], cluster.Nodes[0].UsedPorts);
        Assert.Empty(cluster.Nodes[0].UsedGpus);
        Assert.Equal(1, cluster.Nodes[0].GroupCounts["api"]);
        Assert.Equal(4, session.ToSnapshot().Nodes.Sum(n => n.Workloads));
    }

    [Fact]
    public void What_the_session_handed_out_stays_as_it_was_when_placements_go_on()
    {
        var session = _scheduler.StartSession(Cluster(Node("a", gpus: [0, 1, 2, 3])));
        var request = Request(100, GiB, ports: [Auto()], gpus: 1, group: "api");
        session.Place(request);
        session.Place(request);
        var snapshot = session.ToSnapshot();
        var node = session.Node("a")!;

        session.Place(request);
        session.Place(request);

        foreach (var seen in new[] { snapshot.Nodes[0], node })
        {
            Assert.Equal(2, seen.Workloads);
            Assert.Equal(2, seen.UsedPorts.Count);
            Assert.Equal(new HashSet<int> { 0, 1 }, seen.UsedGpus);
            Assert.Equal(2, seen.GroupCounts["api"]);
        }
        var now = session.Node("a")!;
        Assert.Equal(4, now.Workloads);
        Assert.Equal(4, now.UsedPorts.Count);
        Assert.Equal(new HashSet<int> { 0, 1, 2, 3 }, now.UsedGpus);
        Assert.Equal(4, now.GroupCounts["api"]);
    }

    [Fact]
    public void A_failed_placement_changes_nothing()
    {
        var session = _scheduler.StartSession(Cluster(Node("a", 1000, GiB)));
        Assert.False(session.Place(Request(2000, GiB)).Success);
        var a = session.Node("a")!;
        Assert.Equal(0, a.Workloads);
        Assert.Equal(ResourceAmounts.Zero, a.Allocated);
    }

    [Fact]
    public void Spread_replicas_go_one_per_node_and_binpack_piles_them_up()
    {
        var spread = _scheduler.StartSession(Cluster(Node("a"), Node("b"), Node("c")));
        Assert.Equal(["a", "b", "c"], Enumerable.Range(0, 3).Select(_ => spread.Place(Request(500, GiB, group: "api")).Node).Order());
        var binpack = _scheduler.StartSession(Cluster(Node("a"), Node("b"), Node("c")));
        Assert.Equal(["a", "a", "a"], Enumerable.Range(0, 3).Select(_ => binpack.Place(Request(500, GiB, PlacementStrategy.Binpack, group: "api")).Node));
    }

    [Fact]
    public void Assume_by_name_records_work_placed_elsewhere()
    {
        var session = _scheduler.StartSession(Cluster(Node("a", gpus: [2, 0, 1], usedGpus: [0]), Node("b")));
        session.Assume("a", Request(1000, GiB, gpus: 1, group: "api"), [new PublishedPort { ContainerPort = 80, HostPort = 20005 }]);
        session.Assume("a", Request(1000, GiB, group: "api"), [], [2]);

        var a = session.Node("a")!;
        Assert.Equal(Amounts(2000, 2 * GiB), a.Allocated);
        Assert.Equal(2, a.Workloads);
        Assert.Equal(["20005/tcp"], a.UsedPorts);
        Assert.Equal(new HashSet<int> { 0, 1, 2 }, a.UsedGpus);
        Assert.Equal(2, a.GroupCounts["api"]);
        Assert.Equal("b", session.Place(Request(100, GiB)).Node);
    }

    [Fact]
    public void Unknown_nodes_and_impossible_gpus_are_refused()
    {
        var session = _scheduler.StartSession(Cluster(Node("a", gpus: [0])));
        Assert.Throws<ArgumentException>(() => session.Assume("ghost", Request(), []));
        Assert.Throws<InvalidOperationException>(() => session.Assume("a", Request(gpus: 2), []));
        Assert.Null(session.Node("ghost"));
    }

    [Fact]
    public void An_empty_cluster_has_no_nodes_to_offer()
    {
        var session = _scheduler.StartSession(Cluster());
        Assert.Equal(0, session.NodeCount);
        Assert.Equal(RejectionSummary.NoNodes, session.Place(Request()).Reason);
    }
}
