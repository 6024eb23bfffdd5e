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
    public void Batches_never_overcommit_never_reuse_ports_and_fail_only_when_no_node_could_fit(int seed)
    {
        var random = new Random(seed);
        var cluster = RandomCluster(random);
        var original = cluster.Nodes.ToDictionary(n => n.Name);
        var portsHandedOut = cluster.Nodes.ToDictionary(n => n.Name, n => new HashSet<string>(n.UsedPorts));
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

            cluster = _scheduler.Assume(cluster, chosen.Name, request, result.Ports);
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
        var request = Request(random.Next(0, 500), random.Next(0, 2) * random.NextInt64(1, GiB), ports: withPort ? [Auto()] : null);
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

    private static ClusterSnapshot RandomCluster(Random random)
    {
        var nodes = new NodeSnapshot[random.Next(1, 51)];
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
        }
        return new ClusterSnapshot(nodes);
    }

    private static PlacementRequest RandomRequest(Random random, int step)
    {
        var ports = new PortMapping[random.Next(0, 4)];
        for (var i = 0; i < ports.Length; i++)
        {
            var protocol = random.Next(4) == 0 ? "udp" : "tcp";
            ports[i] = random.Next(3) == 0 ? Fixed(20000 + random.Next(0, 16), 80 + i, protocol) : Auto(80 + i, protocol);
        }
        return Request(
            random.Next(3) == 0 ? 0 : random.Next(1, 1500),
            random.Next(3) == 0 ? 0 : random.NextInt64(1, 2 * GiB),
            random.Next(2) == 0 ? PlacementStrategy.Spread : PlacementStrategy.Binpack,
            ports,
            random.Next(4) == 0 ? new Dictionary<string, string> { ["zone"] = "a" } : null,
            name: $"task-{step}");
    }

    private static string Describe(PlacementRequest request) =>
        $"{request.Strategy} cpu={request.Requests.CpuMillis} mem={request.Requests.MemoryBytes} ports=[{string.Join(", ", request.Ports.Select(p => $"{p.HostPort?.ToString() ?? "auto"}/{p.Protocol}"))}]";
}
