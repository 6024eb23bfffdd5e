using Chas.Scheduling.Filters;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

public class HostPortsFilterTests
{
    private readonly HostPortsFilter _filter = new();
    private static readonly PortRange SmallRange = new(8000, 8003);

    [Fact]
    public void No_ports_always_pass() =>
        Assert.True(_filter.Filter(Node("a", portRange: new PortRange(1, 1), usedPorts: ["1/tcp"]), Request()).IsSuccess);

    [Fact]
    public void Free_fixed_port_inside_range_passes() =>
        Assert.True(_filter.Filter(Node("a", portRange: SmallRange, usedPorts: ["8001/tcp"]), Request(ports: [Fixed(8000)])).IsSuccess);

    [Fact]
    public void Fixed_port_outside_range_names_the_range() =>
        Assert.Equal("host port 8080 outside node port range 8000-8003",
            _filter.Filter(Node("a", portRange: SmallRange), Request(ports: [Fixed(8080)])).Reason);

    [Fact]
    public void Fixed_port_in_use_names_port_and_protocol() =>
        Assert.Equal("host port 8001/tcp in use",
            _filter.Filter(Node("a", portRange: SmallRange, usedPorts: ["8001/tcp"]), Request(ports: [Fixed(8001)])).Reason);

    [Fact]
    public void Same_number_with_another_protocol_is_not_in_use() =>
        Assert.True(_filter.Filter(Node("a", portRange: SmallRange, usedPorts: ["8001/tcp"]), Request(ports: [Fixed(8001, protocol: "udp")])).IsSuccess);

    [Fact]
    public void Used_ports_in_a_set_that_is_not_a_HashSet_are_still_seen()
    {
        var node = Node("a", portRange: SmallRange) with { UsedPorts = new SortedSet<string> { "8002/udp" } };
        Assert.Equal("host port 8002/udp in use", _filter.Filter(node, Request(ports: [Fixed(8002, protocol: "udp")])).Reason);
    }

    [Fact]
    public void Same_fixed_port_twice_in_one_request_is_rejected() =>
        Assert.Equal("host port 8000/tcp requested twice",
            _filter.Filter(Node("a", portRange: SmallRange), Request(ports: [Fixed(8000, 80), Fixed(8000, 81)])).Reason);

    [Fact]
    public void Auto_ports_pass_while_the_range_has_room()
    {
        var node = Node("a", portRange: SmallRange, usedPorts: ["8000/tcp", "8001/tcp"]);
        Assert.True(_filter.Filter(node, Request(ports: [Auto(80), Auto(81)])).IsSuccess);
    }

    [Fact]
    public void Auto_ports_fail_when_the_range_is_full()
    {
        var node = Node("a", portRange: SmallRange, usedPorts: ["8000/tcp", "8001/tcp", "8002/tcp"]);
        Assert.Equal("no free host port", _filter.Filter(node, Request(ports: [Auto(80), Auto(81)])).Reason);
    }

    [Fact]
    public void Fixed_ports_of_the_same_request_take_room_from_auto_ones()
    {
        var node = Node("a", portRange: SmallRange, usedPorts: ["8000/tcp", "8001/tcp"]);
        Assert.Equal("no free host port", _filter.Filter(node, Request(ports: [Fixed(8002), Auto(80), Auto(81)])).Reason);
    }

    [Fact]
    public void Ports_used_outside_the_range_or_by_another_protocol_leave_room()
    {
        // Four used keys against a range of four: only the exact count tells that two are free.
        var node = Node("a", portRange: SmallRange, usedPorts: ["8000/tcp", "9000/tcp", "8001/udp", "garbage"]);
        Assert.True(_filter.Filter(node, Request(ports: [Auto(80), Auto(81), Auto(82)])).IsSuccess);
        Assert.False(_filter.Filter(node, Request(ports: [Auto(80), Auto(81), Auto(82), Auto(83)])).IsSuccess);
    }

    [Fact]
    public void Protocols_are_counted_separately()
    {
        var node = Node("a", portRange: new PortRange(8000, 8001), usedPorts: ["8000/tcp", "8001/tcp"]);
        Assert.True(_filter.Filter(node, Request(ports: [Auto(53, "udp"), Auto(54, "udp")])).IsSuccess);
        Assert.Equal("no free host port", _filter.Filter(node, Request(ports: [Auto(53, "udp"), Auto(80, "tcp")])).Reason);
    }
}
