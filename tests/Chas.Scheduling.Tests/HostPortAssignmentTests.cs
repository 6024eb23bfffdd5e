using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

/// <summary>Which host ports a successful placement publishes on the chosen node.</summary>
public class HostPortAssignmentTests
{
    private readonly Scheduler _scheduler = Scheduler.CreateDefault();

    [Fact]
    public void Fixed_host_port_is_honoured_and_bound_to_the_node_address()
    {
        var result = _scheduler.Place(Cluster(Node("a", portRange: new PortRange(8000, 8999))), Request(ports: [Fixed(8080, 80)]));
        var port = Assert.Single(result.Ports);
        Assert.Equal(new PublishedPort { ContainerPort = 80, HostPort = 8080, Protocol = "tcp", HostIp = "a.nodes.test" }, port);
    }

    [Fact]
    public void Fixed_host_port_outside_every_range_fails()
    {
        var result = _scheduler.Place(Cluster(Node("a", portRange: new PortRange(20000, 20010))), Request(ports: [Fixed(8080)]));
        Assert.False(result.Success);
        Assert.Equal("0/1 nodes available: 1 host port 8080 outside node port range 20000-20010", result.Reason);
    }

    [Fact]
    public void Fixed_host_port_goes_to_the_node_where_it_is_free()
    {
        var cluster = Cluster(
            Node("a", portRange: new PortRange(8000, 8999), usedPorts: ["8080/tcp"]),
            Node("b", portRange: new PortRange(8000, 8999), allocatedCpu: 3000, allocatedMemory: 7 * GiB));
        var result = _scheduler.Place(cluster, Request(100, 100, ports: [Fixed(8080)]));
        Assert.Equal("b", result.Node);
        Assert.Equal("host port 8080/tcp in use", result.Rejections["a"]);
    }

    [Fact]
    public void Auto_ports_are_the_lowest_free_ones_and_distinct()
    {
        var node = Node("a", portRange: new PortRange(20000, 20010), usedPorts: ["20000/tcp", "20002/tcp", "20001/udp"]);
        var result = _scheduler.Place(Cluster(node), Request(ports: [Auto(80), Auto(443), Auto(53, "udp"), Auto(9000)]));
        Assert.Equal([20001, 20003, 20000, 20004], result.Ports.Select(p => p.HostPort));
        Assert.Equal(["tcp", "tcp", "udp", "tcp"], result.Ports.Select(p => p.Protocol));
        Assert.Equal([80, 443, 53, 9000], result.Ports.Select(p => p.ContainerPort));
        Assert.All(result.Ports, p => Assert.Equal("a.nodes.test", p.HostIp));
    }

    [Fact]
    public void Auto_ports_skip_the_fixed_ports_of_the_same_request()
    {
        // The fixed port comes after the auto one in the request but is still not handed out twice.
        var node = Node("a", portRange: new PortRange(20000, 20010));
        var result = _scheduler.Place(Cluster(node), Request(ports: [Auto(80), Fixed(20000, 81), Auto(82)]));
        Assert.Equal([20001, 20000, 20002], result.Ports.Select(p => p.HostPort));
    }

    [Fact]
    public void Auto_port_takes_the_last_free_port_of_a_nearly_full_range()
    {
        var node = Node("a", portRange: new PortRange(100, 103), usedPorts: ["100/tcp", "101/tcp", "103/tcp"]);
        Assert.Equal(102, Assert.Single(_scheduler.Place(Cluster(node), Request(ports: [Auto()])).Ports).HostPort);
    }

    [Fact]
    public void Request_without_ports_publishes_none() =>
        Assert.Empty(_scheduler.Place(Cluster(Node("a")), Request()).Ports);
}
