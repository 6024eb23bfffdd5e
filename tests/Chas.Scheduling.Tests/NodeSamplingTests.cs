using System.Runtime.CompilerServices;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

/// <summary>
/// On more than 100 nodes a placement stops filtering once max(100, 5 %) of the nodes were found
/// feasible, starting where the scheduler's previous placement stopped; up to 100 it sees every node.
/// </summary>
public class NodeSamplingTests
{
    /// <summary>Every node fits; the higher the index, the emptier, so spread wants the last node it looks at.</summary>
    private static NodeSnapshot[] EmptierTowardsTheEnd(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Node($"n{i:D4}", 100_000, 1000 * GiB, allocatedCpu: count - i))];

    private static readonly PlacementRequest Small = Request(100, GiB);

    [Fact]
    public void Up_to_100_nodes_every_node_is_looked_at_every_time()
    {
        var nodes = EmptierTowardsTheEnd(100);
        for (var i = 0; i < 50; i += 2) nodes[i] = nodes[i] with { Ready = false };
        var scheduler = Scheduler.CreateDefault();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var result = scheduler.Place(new ClusterSnapshot(nodes), Small);
            Assert.Equal("n0099", result.Node);
            Assert.Equal(25, result.Rejections.Count);
        }
    }

    [Fact]
    public void Past_100_nodes_a_placement_scores_the_first_100_feasible_ones_and_the_next_starts_after_them()
    {
        var cluster = new ClusterSnapshot(EmptierTowardsTheEnd(1000));
        var scheduler = Scheduler.CreateDefault();
        Assert.Equal("n0099", scheduler.Place(cluster, Small).Node);
        Assert.Equal("n0199", scheduler.Place(cluster, Small).Node);
        Assert.Equal("n0299", scheduler.Place(cluster, Small).Node);
    }

    [Fact]
    public void On_a_large_cluster_5_percent_of_the_nodes_must_be_found_feasible()
    {
        var cluster = new ClusterSnapshot(EmptierTowardsTheEnd(4000));
        var scheduler = Scheduler.CreateDefault();
        Assert.Equal("n0199", scheduler.Place(cluster, Small).Node);
        Assert.Equal("n0399", scheduler.Place(cluster, Small).Node);
    }

    [Fact]
    public void Rejected_nodes_do_not_count_towards_the_feasible_ones_and_only_those_looked_at_are_listed()
    {
        var nodes = EmptierTowardsTheEnd(1000);
        for (var i = 0; i < nodes.Length; i += 2) nodes[i] = nodes[i] with { Ready = false };
        var result = Scheduler.CreateDefault().Place(new ClusterSnapshot(nodes), Small);
        // 100 feasible ones among the first 200: n0001, n0003, ..., n0199.
        Assert.Equal("n0199", result.Node);
        Assert.Equal(100, result.Rejections.Count);
        Assert.All(result.Rejections, rejection => Assert.Equal("not ready", rejection.Value));
    }

    [Fact]
    public void The_scan_wraps_around_the_end_of_the_node_list()
    {
        var cluster = new ClusterSnapshot(EmptierTowardsTheEnd(250));
        var scheduler = Scheduler.CreateDefault();
        Assert.Equal("n0099", scheduler.Place(cluster, Small).Node);
        Assert.Equal("n0199", scheduler.Place(cluster, Small).Node);
        // n0200..n0249, then n0000..n0049: the emptiest of those is at the end of the list.
        Assert.Equal("n0249", scheduler.Place(cluster, Small).Node);
        Assert.Equal("n0149", scheduler.Place(cluster, Small).Node);
    }

    [Fact]
    public void A_failed_placement_on_a_large_cluster_counts_every_node()
    {
        var nodes = new NodeSnapshot[1000];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = (i % 10) switch
            {
                < 5 => Node($"n{i:D4}", memoryBytes: GiB),
                < 8 => Node($"n{i:D4}", ready: false),
                _ => Node($"n{i:D4}", usedPorts: ["20080/tcp"]),
            };
        }
        var cluster = new ClusterSnapshot(nodes);
        var scheduler = Scheduler.CreateDefault();
        // Successful placements first move the start of the scan into the middle of the list.
        for (var i = 0; i < 7; i++) Assert.True(scheduler.Place(cluster, Request(100, 10)).Success);

        var result = scheduler.Place(cluster, Request(100, 2 * GiB, ports: [Fixed(20080)]));
        Assert.False(result.Success);
        Assert.Equal("0/1000 nodes available: 500 insufficient memory, 300 not ready, 200 host port 20080/tcp in use", result.Reason);
        Assert.Equal(1000, result.Rejections.Count);
        Assert.Equal(nodes.Select(n => n.Name).Order(StringComparer.Ordinal), result.Rejections.Keys.Order(StringComparer.Ordinal));

        var session = scheduler.StartSession(cluster);
        var inSession = session.Place(Request(100, 2 * GiB, ports: [Fixed(20080)]));
        Assert.Equal(result.Reason, inSession.Reason);
        Assert.Equal(1000, inSession.Rejections.Count);
    }

    [Fact]
    public void Fewer_feasible_nodes_than_wanted_means_a_full_scan_and_the_best_of_them_all()
    {
        var nodes = EmptierTowardsTheEnd(1000);
        for (var i = 0; i < nodes.Length; i++)
        {
            if (i % 20 != 0) nodes[i] = nodes[i] with { Schedulable = false };
        }
        var result = Scheduler.CreateDefault().Place(new ClusterSnapshot(nodes), Small);
        Assert.Equal("n0980", result.Node);
        Assert.Equal(950, result.Rejections.Count);
    }

    [Fact]
    public void Two_schedulers_given_the_same_placements_make_the_same_choices()
    {
        var random = new Random(7);
        var nodes = Enumerable.Range(0, 1000)
            .Select(i => Node($"n{i:D4}", 8000, 32 * GiB, allocatedCpu: random.Next(0, 4000), workloads: random.Next(0, 5)))
            .ToArray();
        var requests = Enumerable.Range(0, 300).Select(i => Request(random.Next(1, 500), GiB, group: $"g{i % 7}")).ToArray();

        IEnumerable<string?> Run(Scheduler scheduler)
        {
            var session = scheduler.StartSession(new ClusterSnapshot(nodes));
            return requests.Select(request => session.Place(request).Node).ToList();
        }

        Assert.Equal(Run(Scheduler.CreateDefault()), Run(Scheduler.CreateDefault()));
    }

    public static TheoryData<bool> BothApis() => [true, false];

    [Theory]
    [MemberData(nameof(BothApis))]
    public void On_1000_nodes_replicas_take_every_node_that_fits_before_any_takes_a_second(bool session)
    {
        var random = new Random(42);
        var nodes = new NodeSnapshot[1000];
        for (var i = 0; i < nodes.Length; i++)
        {
            // Every fifth node is too small for a replica; the others are loaded anywhere from empty to
            // three quarters full, so that each still has room for a few replicas.
            nodes[i] = i % 5 == 4
                ? Node($"n{i:D4}", 400, 8 * GiB)
                : Node($"n{i:D4}", 8000, 32 * GiB, allocatedCpu: random.Next(0, 6000), allocatedMemory: random.NextInt64(0, 24 * GiB), workloads: random.Next(0, 20));
        }
        var request = Request(500, GiB, group: "api");
        var place = Placer(new ClusterSnapshot(nodes), session);

        var placed = Enumerable.Range(0, 800).Select(_ => place(request)).ToList();
        Assert.All(placed, result => Assert.True(result.Success, result.Reason));
        var perNode = placed.CountBy(result => result.Node!).ToDictionary();
        Assert.Equal(800, perNode.Count);
        Assert.DoesNotContain(perNode.Keys, name => int.Parse(name[1..]) % 5 == 4);
    }

    [Theory]
    [MemberData(nameof(BothApis))]
    public void Sampling_never_overcommits_a_node(bool session)
    {
        var random = new Random(3);
        var nodes = Enumerable.Range(0, 1000)
            .Select(i => Node($"n{i:D4}", random.Next(1, 9) * 1000, random.Next(1, 9) * 4 * GiB, portRange: new PortRange(20000, 20003)))
            .ToArray();
        var cluster = new ClusterSnapshot(nodes);
        var place = Placer(cluster, session, out var current);
        var allocated = nodes.ToDictionary(n => n.Name, _ => (Cpu: 0L, Memory: 0L, Ports: new HashSet<int>()));

        var failures = 0;
        for (var i = 0; failures < 20; i++)
        {
            var request = Request(random.Next(100, 2000), random.NextInt64(GiB / 2, 8 * GiB),
                random.Next(2) == 0 ? PlacementStrategy.Spread : PlacementStrategy.Binpack, ports: [Auto()], name: $"task-{i}");
            var result = place(request);
            if (!result.Success)
            {
                failures++;
                Assert.Equal(1000, result.Rejections.Count);
                Assert.DoesNotContain(current().Nodes, node => FeasibilityOracle.CanTake(node, request));
                continue;
            }
            var entry = allocated[result.Node!];
            Assert.True(entry.Ports.Add(Assert.Single(result.Ports).HostPort), $"{result.Node}: a host port handed out twice");
            allocated[result.Node!] = (entry.Cpu + request.Requests.CpuMillis, entry.Memory + request.Requests.MemoryBytes, entry.Ports);
        }
        foreach (var node in nodes)
        {
            Assert.InRange(allocated[node.Name].Cpu, 0, node.Allocatable.CpuMillis);
            Assert.InRange(allocated[node.Name].Memory, 0, node.Allocatable.MemoryBytes);
        }
        Assert.Equal(allocated.Sum(pair => pair.Value.Cpu), current().Nodes.Sum(node => node.Allocated.CpuMillis));
    }

    private static Func<PlacementRequest, PlacementResult> Placer(ClusterSnapshot cluster, bool session) =>
        Placer(cluster, session, out _);

    /// <summary>Place and assume through a session, or through Place and Assume on snapshots; <paramref name="current"/> shows the state.</summary>
    private static Func<PlacementRequest, PlacementResult> Placer(ClusterSnapshot cluster, bool session, out Func<ClusterSnapshot> current)
    {
        var scheduler = Scheduler.CreateDefault();
        if (session)
        {
            var batch = scheduler.StartSession(cluster);
            current = batch.ToSnapshot;
            return batch.Place;
        }
        var state = new StrongBox<ClusterSnapshot>(cluster);
        current = () => state.Value!;
        return request =>
        {
            var result = scheduler.Place(state.Value!, request);
            if (result.Success) state.Value = scheduler.Assume(state.Value!, request, result);
            return result;
        };
    }
}
