using Chas.Contracts;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

/// <summary>A request bound to one node (a system deployment's instance): that node or nothing, never a spreading decision.</summary>
public class RequiredNodeTests
{
    private static readonly Scheduler Scheduler = Scheduler.CreateDefault();

    [Fact]
    public void It_lands_on_its_node_even_when_another_scores_better()
    {
        var cluster = new ClusterSnapshot([Node("busy", allocatedCpu: 3000, workloads: 5), Node("idle")]);
        var result = Scheduler.Place(cluster, new PlacementRequest { Name = "edge", RequiredNode = "busy", Requests = Amounts(100, 0) });
        Assert.Equal("busy", result.Node);
    }

    [Fact]
    public void It_stays_unplaced_with_its_nodes_reason_when_that_node_lacks_room()
    {
        var cluster = new ClusterSnapshot([Node("small", cpuMillis: 200), Node("big")]);
        var result = Scheduler.Place(cluster, new PlacementRequest { Name = "edge", RequiredNode = "small", Requests = Amounts(500, 0) });
        Assert.False(result.Success);
        Assert.Contains("insufficient cpu", result.Reason, StringComparison.Ordinal);
        Assert.Contains("small", result.Reason, StringComparison.Ordinal);
        Assert.Equal(["small"], result.Rejections.Keys);
    }

    [Fact]
    public void Its_fixed_host_port_is_checked_on_that_node()
    {
        var cluster = new ClusterSnapshot([Node("a", usedPorts: ["20080/tcp"]), Node("b")]);
        var request = new PlacementRequest { Name = "edge", RequiredNode = "a", Ports = [new PortMapping { ContainerPort = 80, HostPort = 20080 }] };
        Assert.Contains("in use", Scheduler.Place(cluster, request).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_session_assumes_it_on_its_node()
    {
        var session = Scheduler.StartSession(new ClusterSnapshot([Node("a", cpuMillis: 1000), Node("b")]));
        var request = new PlacementRequest { Name = "edge", RequiredNode = "a", Requests = Amounts(600, 0) };
        Assert.Equal("a", session.Place(request).Node);
        Assert.False(session.Place(request with { Name = "edge-2" }).Success);
        Assert.Equal(600, session.Node("a")!.Allocated.CpuMillis);
    }

    [Fact]
    public void A_node_that_is_not_there_is_named()
    {
        var result = Scheduler.Place(new ClusterSnapshot([Node("a")]), new PlacementRequest { Name = "edge", RequiredNode = "gone" });
        Assert.Contains("gone", result.Reason, StringComparison.Ordinal);
    }
}
