using Xunit.Abstractions;
using static Chas.Scheduling.Tests.SchedulerPropertyTests;

namespace Chas.Scheduling.Tests;

/// <summary>
/// A session against Place + Assume on the same random clusters and batches, each with a scheduler of its
/// own: both start their scans at the same place and move it the same way, so they must agree on every
/// result, small cluster or large (sampled). Every result is also checked against the brute-force oracle.
/// </summary>
public class SchedulingSessionPropertyTests(ITestOutputHelper output)
{
    public static TheoryData<int> SmallSeeds() => SeedRange(1, 60);

    public static TheoryData<int> LargeSeeds() => SeedRange(1001, 20);

    [Theory]
    [MemberData(nameof(SmallSeeds))]
    public void On_small_clusters_a_session_places_exactly_as_place_and_assume(int seed)
    {
        var random = new Random(seed);
        Assert.Equal(0, Check(seed, random, RandomCluster(random), random.Next(1, 150)));
    }

    [Theory]
    [MemberData(nameof(LargeSeeds))]
    public void On_sampled_clusters_a_session_places_exactly_as_place_and_assume_and_never_overcommits(int seed)
    {
        var random = new Random(seed);
        // Enough nodes that many requests find more than 100 feasible ones and stop early.
        var sampled = Check(seed, random, RandomCluster(random, random.Next(300, 800)), random.Next(100, 400));
        Assert.True(sampled > 0, $"seed {seed}: no placement stopped early, so this seed tests no sampling");
    }

    /// <returns>How many placements stopped before scanning every node.</returns>
    private int Check(int seed, Random random, ClusterSnapshot start, int requestCount)
    {
        var reference = Scheduler.CreateDefault();
        var session = Scheduler.CreateDefault().StartSession(start);
        var cluster = start;
        var portsHandedOut = start.Nodes.ToDictionary(n => n.Name, n => new HashSet<string>(n.UsedPorts));
        var gpusHandedOut = start.Nodes.ToDictionary(n => n.Name, n => new HashSet<int>(n.UsedGpus));
        int failures = 0, sampled = 0;

        for (var step = 0; step < requestCount; step++)
        {
            var request = RandomRequest(random, step);
            var where = $"seed {seed}, step {step}, request {Describe(request)}";
            var expected = reference.Place(cluster, request);
            var actual = session.Place(request);

            Assert.True(expected.Node == actual.Node, $"{where}: session chose {actual.Node ?? "none"}, Place chose {expected.Node ?? "none"}");
            Assert.Equal(expected.Ports, actual.Ports);
            Assert.Equal(expected.GpuIndices, actual.GpuIndices);
            Assert.Equal(expected.Reason, actual.Reason);
            // Plain string comparisons: xunit's structural comparer is slow on hundreds of rejections per step.
            Assert.True(expected.Rejections.Keys.SequenceEqual(actual.Rejections.Keys, StringComparer.Ordinal)
                && expected.Rejections.Values.SequenceEqual(actual.Rejections.Values, StringComparer.Ordinal), $"{where}: rejections differ");

            if (!actual.Success)
            {
                // A failure looked at every node, and the oracle finds none that could take it.
                Assert.StartsWith($"0/{cluster.Nodes.Count} nodes available: ", actual.Reason);
                Assert.Equal(cluster.Nodes.Count, actual.Rejections.Count);
                var couldFit = cluster.Nodes.FirstOrDefault(n => FeasibilityOracle.CanTake(n, request));
                Assert.True(couldFit is null, $"{where}: failed with '{actual.Reason}' but {couldFit?.Name} could take it");
                failures++;
                continue;
            }

            var chosen = cluster.Nodes.Single(n => n.Name == actual.Node);
            Assert.True(FeasibilityOracle.CanTake(chosen, request), $"{where}: chose {chosen.Name}, which cannot take it");
            // Stopping early leaves nodes neither rejected nor among the (at least 100) feasible ones scored.
            if (actual.Rejections.Count + 100 < cluster.Nodes.Count) sampled++;
            foreach (var published in actual.Ports)
            {
                Assert.True(chosen.PortRange.Contains(published.HostPort), $"{where}: port {published.HostPort} outside {chosen.PortRange}");
                Assert.True(portsHandedOut[chosen.Name].Add($"{published.HostPort}/{published.Protocol}"),
                    $"{where}: host port {published.HostPort}/{published.Protocol} used twice on {chosen.Name}");
            }
            Assert.Equal(FeasibilityOracle.AllocateGpus(chosen, request)!, actual.GpuIndices);
            foreach (var gpu in actual.GpuIndices)
                Assert.True(gpusHandedOut[chosen.Name].Add(gpu), $"{where}: gpu {gpu} allocated twice on {chosen.Name}");

            cluster = reference.Assume(cluster, request, expected);
        }

        // The session's working copy ended where Place + Assume did, within every node's capacity.
        var final = session.ToSnapshot();
        Assert.Equal(cluster.Nodes.Count, final.Nodes.Count);
        for (var i = 0; i < final.Nodes.Count; i++)
        {
            var (mine, theirs) = (final.Nodes[i], cluster.Nodes[i]);
            var what = $"seed {seed}, node {mine.Name}";
            Assert.Equal(theirs.Name, mine.Name);
            Assert.Equal(theirs.Allocated, mine.Allocated);
            Assert.Equal(theirs.Workloads, mine.Workloads);
            Assert.True(theirs.UsedPorts.SetEquals(mine.UsedPorts), $"{what}: used ports differ");
            Assert.True(portsHandedOut[mine.Name].SetEquals(mine.UsedPorts), $"{what}: used ports drifted from what was handed out");
            Assert.True(theirs.UsedGpus.SetEquals(mine.UsedGpus), $"{what}: used gpus differ");
            Assert.True(gpusHandedOut[mine.Name].SetEquals(mine.UsedGpus), $"{what}: used gpus drifted from what was handed out");
            Assert.Equal(theirs.GroupCounts.OrderBy(p => p.Key, StringComparer.Ordinal), mine.GroupCounts.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.True(mine.Allocated.CpuMillis <= mine.Allocatable.CpuMillis, $"{what}: cpu {mine.Allocated.CpuMillis} > {mine.Allocatable.CpuMillis}");
            Assert.True(mine.Allocated.MemoryBytes <= mine.Allocatable.MemoryBytes, $"{what}: memory over allocatable");
        }
        output.WriteLine($"seed {seed}: {start.Nodes.Count} nodes, {requestCount - failures} placed ({sampled} sampled), {failures} failed");
        return sampled;
    }

    private static TheoryData<int> SeedRange(int first, int count)
    {
        var seeds = new TheoryData<int>();
        for (var seed = first; seed < first + count; seed++) seeds.Add(seed);
        return seeds;
    }
}
