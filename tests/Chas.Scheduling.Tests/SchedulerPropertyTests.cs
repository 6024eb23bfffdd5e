using Xunit.Abstractions;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

/// <summary>
/// Random clusters and random batches, placed with Place + Assume as the server does. Every seed is
/// in the assertion messages: rerun a failure with that seed alone as an InlineData.
/// </summary>
public class SchedulerPropertyTests(ITestOutputHelper output)
{
    private readonly Scheduler _scheduler = Scheduler.CreateDefault();

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 60; seed++) seeds.Add(seed);
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Batches_never_overcommit_never_reuse_ports_or_gpus_and_fail_only_when_no_node_could_fit(int seed)
    {
        var random = new Random(seed);
        var cluster = RandomCluster(random);
        var original = cluster.Nodes.ToDictionary(n => n.Name);
        var portsHandedOut = cluster.Nodes.ToDictionary(n => n.Name, n => new HashSet<string>(n.UsedPorts));
        var gpusHandedOut = cluster.Nodes.ToDictionary(n => n.Name, n => new HashSet<int>(n.UsedGpus));
        var groupsBound = cluster.Nodes.ToDictionary(n => n.Name, n => new Dictionary<string, int>(n.GroupCounts));
        var requestCount = random.Next(1, 150);
        var failures = 0;

        for (var step = 0; step < requestCount; step++)
        {
            var request = RandomRequest(random, step);
            var where = $"seed {seed}, step {step}, request {Describe(request)}";
            var result = _scheduler.Place(cluster, request);

            if (!result.Success)
            {
                Assert.Empty(result.Ports);
                Assert.Empty(result.GpuIndices);
                Assert.StartsWith($"0/{cluster.Nodes.Count} nodes available: ", result.Reason);
                Assert.Equal(cluster.Nodes.Count, result.Rejections.Count);
                var couldFit = cluster.Nodes.FirstOrDefault(n => FeasibilityOracle.CanTake(n, request));
                if (couldFit is not null)
                    Assert.Fail($"{where}: failed with '{result.Reason}' but {couldFit.Name} could take it (rejected as '{result.Rejections[couldFit.Name]}')");
                failures++;
                continue;
            }

            var chosen = cluster.Nodes.Single(n => n.Name == result.Node);
            Assert.True(chosen.Ready && chosen.Schedulable, $"{where}: chose not-ready or cordoned node {chosen.Name}");
            Assert.True(FeasibilityOracle.CanTake(chosen, request), $"{where}: chose {chosen.Name}, which cannot take it");
            Assert.Equal(request.Ports.Count, result.Ports.Count);
            for (var i = 0; i < request.Ports.Count; i++)
            {
                var published = result.Ports[i];
                Assert.True(chosen.PortRange.Contains(published.HostPort), $"{where}: port {published.HostPort} outside {chosen.PortRange} of {chosen.Name}");
                Assert.True(request.Ports[i].HostPort is null || request.Ports[i].HostPort == published.HostPort, $"{where}: fixed port not honoured");
                Assert.Equal(request.Ports[i].ContainerPort, published.ContainerPort);
                Assert.Equal(chosen.Address, published.HostIp);
                Assert.True(portsHandedOut[chosen.Name].Add($"{published.HostPort}/{published.Protocol}"),
                    $"{where}: host port {published.HostPort}/{published.Protocol} used twice on {chosen.Name}");
            }

            // Brute force agrees on which GPUs, and none is on another node or handed out twice.
            var expectedGpus = FeasibilityOracle.AllocateGpus(chosen, request)!;
            Assert.True(expectedGpus.SequenceEqual(result.GpuIndices),
                $"{where}: on {chosen.Name} got gpus [{string.Join(", ", result.GpuIndices)}], expected [{string.Join(", ", expectedGpus)}]");
            foreach (var gpu in result.GpuIndices)
            {
                Assert.True(chosen.Gpus.Contains(gpu), $"{where}: gpu {gpu} is not on {chosen.Name} [{string.Join(", ", chosen.Gpus)}]");
                Assert.True(gpusHandedOut[chosen.Name].Add(gpu), $"{where}: gpu {gpu} allocated twice on {chosen.Name}");
            }
            if (!string.IsNullOrEmpty(request.Group))
                groupsBound[chosen.Name][request.Group] = groupsBound[chosen.Name].GetValueOrDefault(request.Group) + 1;

            // Both ways of assuming must record the same: the node-name overload works the GPUs out itself.
            cluster = step % 2 == 0
                ? _scheduler.Assume(cluster, request, result)
                : _scheduler.Assume(cluster, chosen.Name, request, result.Ports);
            foreach (var node in cluster.Nodes)
            {
                Assert.True(node.Allocated.CpuMillis <= node.Allocatable.CpuMillis, $"{where}: {node.Name} cpu {node.Allocated.CpuMillis} > {node.Allocatable.CpuMillis}");
                Assert.True(node.Allocated.MemoryBytes <= node.Allocatable.MemoryBytes, $"{where}: {node.Name} memory over allocatable");
            }
        }

        output.WriteLine($"seed {seed}: {cluster.Nodes.Count} nodes, {requestCount - failures} placed, {failures} failed");
        // Workload counts only grew by what was placed, and the ports Assume recorded are exactly those handed out.
        foreach (var node in cluster.Nodes)
        {
            Assert.True(node.Workloads >= original[node.Name].Workloads, $"seed {seed}: {node.Name} lost workloads");
            Assert.True(portsHandedOut[node.Name].SetEquals(node.UsedPorts), $"seed {seed}: {node.Name} used ports drifted from what was handed out");
            Assert.True(gpusHandedOut[node.Name].SetEquals(node.UsedGpus), $"seed {seed}: {node.Name} used gpus drifted from what was handed out");
            Assert.Equal(groupsBound[node.Name], node.GroupCounts);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Replicas_of_equal_requests_on_equal_nodes_spread_evenly(int seed)
    {
        var random = new Random(seed);
        var nodeCount = random.Next(2, 21);
        var replicas = random.Next(1, 201);
        var withPort = random.Next(2) == 0;
        var nodes = Enumerable.Range(0, nodeCount)
            .Select(i => Node($"node-{i}", 100_000, 1000 * GiB, portRange: new PortRange(30000, 30200)))
            .ToArray();
        var request = Request(random.Next(0, 500), random.Next(0, 2) * random.NextInt64(1, GiB), ports: withPort ? [Auto()] : null,
            group: random.Next(2) == 0 ? "api" : null);
        var cluster = new ClusterSnapshot(nodes);

        for (var i = 0; i < replicas; i++)
        {
            var result = _scheduler.Place(cluster, request);
            Assert.True(result.Success, $"seed {seed}, replica {i}: {result.Reason}");
            cluster = _scheduler.Assume(cluster, result.Node!, request, result.Ports);
        }

        var counts = cluster.Nodes.Select(n => n.Workloads).ToArray();
        Assert.True(counts.Max() - counts.Min() <= 1,
            $"seed {seed}: {replicas} replicas of {Describe(request)} on {nodeCount} nodes gave [{string.Join(", ", counts)}]");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Replicas_of_a_group_take_every_node_that_fits_before_any_node_takes_a_second(int seed)
    {
        var random = new Random(seed);
        var request = Request(
            random.Next(3) == 0 ? 0 : random.Next(1, 1000),
            random.Next(3) == 0 ? 0 : random.NextInt64(1, GiB),
            group: "api");
        // Unequal nodes, each with room for at least one replica, some far emptier than others.
        var nodes = new NodeSnapshot[random.Next(2, 21)];
        for (var i = 0; i < nodes.Length; i++)
        {
            var cpu = random.Next(1000, 64_001);
            var memory = random.NextInt64(GiB, 256 * GiB);
            nodes[i] = Node($"node-{i:D2}", cpu, memory,
                allocatedCpu: random.Next(2) == 0 ? 0 : random.NextInt64(0, cpu - request.Requests.CpuMillis + 1),
                allocatedMemory: random.Next(2) == 0 ? 0 : random.NextInt64(0, memory - request.Requests.MemoryBytes + 1),
                workloads: random.Next(0, 10),
                groupCounts: new Dictionary<string, int> { ["worker"] = random.Next(0, 3) });
        }
        var cluster = new ClusterSnapshot(nodes);

        for (var i = 0; i < nodes.Length; i++)
        {
            var result = _scheduler.Place(cluster, request);
            Assert.True(result.Success, $"seed {seed}, replica {i}: {result.Reason}");
            var chosen = cluster.Nodes.Single(n => n.Name == result.Node);
            Assert.True(chosen.GroupCounts.GetValueOrDefault("api") == 0,
                $"seed {seed}, replica {i} of {Describe(request)}: doubled up on {chosen.Name} while {cluster.Nodes.Count(n => !n.GroupCounts.ContainsKey("api"))} nodes had none");
            cluster = _scheduler.Assume(cluster, request, result);
        }
        Assert.All(cluster.Nodes, node => Assert.Equal(1, node.GroupCounts["api"]));
    }

    /// <summary>1 to 50 small nodes, or as many as asked; shared with <see cref="SchedulingSessionPropertyTests"/>.</summary>
    internal static ClusterSnapshot RandomCluster(Random random, int? nodeCount = null)
    {
        var nodes = new NodeSnapshot[nodeCount ?? random.Next(1, 51)];
        for (var i = 0; i < nodes.Length; i++)
        {
            var cpu = random.Next(0, 9) * 500L;
            var memory = random.Next(0, 9) * GiB / 2;
            var from = 20000 + random.Next(0, 10);
            var range = new PortRange(from, from + random.Next(0, 6));
            nodes[i] = Node(
                $"node-{i:D2}",
                cpu,
                memory,
                allocatedCpu: random.Next(3) == 0 ? cpu / 2 : 0,
                allocatedMemory: random.Next(3) == 0 ? memory / 2 : 0,
                workloads: random.Next(0, 3),
                ready: random.Next(5) != 0,
                schedulable: random.Next(8) != 0,
                portRange: range,
                usedPorts: Enumerable.Range(range.From, range.To - range.From + 1).Where(_ => random.Next(4) == 0).Select(p => $"{p}/tcp"),
                labels: new Dictionary<string, string> { ["zone"] = random.Next(2) == 0 ? "a" : "b" });
            var gpus = RandomGpus(random);
            nodes[i] = nodes[i] with
            {
                Gpus = gpus,
                // Now and then a stale index the node no longer lists: it must never count as free.
                UsedGpus = gpus.Where(_ => random.Next(3) == 0).Concat(random.Next(10) == 0 ? [7] : []).ToHashSet(),
                GroupCounts = new Dictionary<string, int> { ["api"] = random.Next(0, 3) },
            };
        }
        return new ClusterSnapshot(nodes);
    }

    /// <summary>None on a third of the nodes; otherwise some of 0-5, not always contiguous, in any order, rarely one listed twice.</summary>
    private static int[] RandomGpus(Random random)
    {
        if (random.Next(3) == 0) return [];
        var gpus = Enumerable.Range(0, 6).Where(_ => random.Next(2) == 0).ToList();
        if (gpus.Count > 0 && random.Next(10) == 0) gpus.Add(gpus[0]);
        var shuffled = gpus.ToArray();
        random.Shuffle(shuffled);
        return shuffled;
    }

    internal static PlacementRequest RandomRequest(Random random, int step)
    {
        var ports = new PortMapping[random.Next(0, 4)];
        for (var i = 0; i < ports.Length; i++)
        {
            var protocol = random.Next(4) == 0 ? "udp" : "tcp";
            ports[i] = random.Next(3) == 0 ? Fixed(20000 + random.Next(0, 16), 80 + i, protocol) : Auto(80 + i, protocol);
        }
        var gpuKind = random.Next(10);
        var gpuCount = gpuKind switch { < 6 => 0, < 8 => random.Next(1, 4), 8 => random.Next(-1, 1), _ => random.Next(1, 7) };
        // Exact indices may repeat or be missing from every node; they win over any count.
        int[] gpuIndices = gpuKind >= 8 ? [.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => random.Next(0, 7))] : [];
        string?[] groups = [null, "api", "worker"];
        return Request(
            random.Next(3) == 0 ? 0 : random.Next(1, 1500),
            random.Next(3) == 0 ? 0 : random.NextInt64(1, 2 * GiB),
            random.Next(2) == 0 ? PlacementStrategy.Spread : PlacementStrategy.Binpack,
            ports,
            random.Next(4) == 0 ? new Dictionary<string, string> { ["zone"] = "a" } : null,
            name: $"task-{step}",
            gpus: gpuCount,
            gpuIndices: gpuIndices,
            group: groups[random.Next(groups.Length)]);
    }

    internal static string Describe(PlacementRequest request) =>
        $"{request.Strategy} cpu={request.Requests.CpuMillis} mem={request.Requests.MemoryBytes} ports=[{string.Join(", ", request.Ports.Select(p => $"{p.HostPort?.ToString() ?? "auto"}/{p.Protocol}"))}]"
        + $" gpus={request.Gpus} gpuIndices=[{string.Join(", ", request.GpuIndices)}] group={request.Group ?? "-"}";
}
