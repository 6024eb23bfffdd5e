using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

/// <summary>The reason line of a failed placement, worded like Kubernetes' "0/3 nodes are available".</summary>
public class RejectionReasonTests
{
    private readonly Scheduler _scheduler = Scheduler.CreateDefault();

    [Fact]
    public void No_nodes_at_all()
    {
        var result = _scheduler.Place(Cluster(), Request());
        Assert.False(result.Success);
        Assert.Equal("0/0 nodes available: no nodes registered", result.Reason);
        Assert.Empty(result.Rejections);
    }

    [Fact]
    public void Reasons_are_counted_most_frequent_first()
    {
        var cluster = Cluster(
            Node("a", memoryBytes: GiB), Node("b", memoryBytes: GiB), Node("c", ready: false));
        var result = _scheduler.Place(cluster, Request(100, 2 * GiB));
        Assert.Null(result.Node);
        Assert.Equal("0/3 nodes available: 2 insufficient memory, 1 not ready", result.Reason);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "insufficient memory", ["b"] = "insufficient memory", ["c"] = "not ready" }, result.Rejections);
    }

    [Fact]
    public void Equal_counts_are_ordered_by_reason_text()
    {
        var cluster = Cluster(
            Node("a", ready: false),
            Node("b", cpuMillis: 100, labels: new Dictionary<string, string> { ["disk"] = "ssd" }),
            Node("c", schedulable: false),
            Node("d", labels: new Dictionary<string, string> { ["disk"] = "hdd" }));
        var request = Request(500, GiB, nodeSelector: new Dictionary<string, string> { ["disk"] = "ssd" });
        Assert.Equal("0/4 nodes available: 1 insufficient cpu, 1 node selector mismatch, 1 not ready, 1 unschedulable",
            _scheduler.Place(cluster, request).Reason);
    }

    [Fact]
    public void The_first_failing_filter_names_the_reason()
    {
        // Not ready, too small and selector-mismatched at once: readiness is checked first.
        var cluster = Cluster(Node("a", ready: false, memoryBytes: 1));
        var result = _scheduler.Place(cluster, Request(0, GiB, nodeSelector: new Dictionary<string, string> { ["x"] = "y" }));
        Assert.Equal("0/1 nodes available: 1 not ready", result.Reason);
    }

    [Fact]
    public void Port_reasons_mix_with_resource_reasons()
    {
        var cluster = Cluster(
            Node("a", portRange: new PortRange(8000, 8100), usedPorts: ["8080/tcp"]),
            Node("b", portRange: new PortRange(8000, 8100), usedPorts: ["8080/tcp"]),
            Node("c", portRange: new PortRange(9000, 9100)),
            Node("d", memoryBytes: 1));
        var result = _scheduler.Place(cluster, Request(0, 10, ports: [Fixed(8080)]));
        Assert.Equal("0/4 nodes available: 2 host port 8080/tcp in use, 1 host port 8080 outside node port range 9000-9100, 1 insufficient memory",
            result.Reason);
    }

    [Fact]
    public void Successful_placement_has_no_reason_but_still_explains_the_rejected_nodes()
    {
        var result = _scheduler.Place(Cluster(Node("a", ready: false), Node("b")), Request());
        Assert.Equal("b", result.Node);
        Assert.Null(result.Reason);
        Assert.Equal("not ready", result.Rejections["a"]);
        Assert.Single(result.Rejections);
    }

    [Fact]
    public void Rejections_can_be_enumerated_counted_and_looked_up()
    {
        var result = _scheduler.Place(Cluster(Node("a", ready: false), Node("b", schedulable: false), Node("c", memoryBytes: 1)), Request(0, 2));
        Assert.Equal(3, result.Rejections.Count);
        Assert.Equal(["a", "b", "c"], result.Rejections.Keys);
        Assert.Equal(["not ready", "unschedulable", "insufficient memory"], result.Rejections.Values);
        Assert.True(result.Rejections.TryGetValue("b", out var reason));
        Assert.Equal("unschedulable", reason);
        Assert.False(result.Rejections.ContainsKey("d"));
        Assert.Throws<KeyNotFoundException>(() => result.Rejections["d"]);
    }
}
