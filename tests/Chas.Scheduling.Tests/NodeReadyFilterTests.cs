using Chas.Scheduling.Filters;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

public class NodeReadyFilterTests
{
    private readonly NodeReadyFilter _filter = new();

    [Fact]
    public void Ready_schedulable_node_passes() =>
        Assert.True(_filter.Filter(Node("a"), Request()).IsSuccess);

    [Fact]
    public void Not_ready_node_is_rejected_as_not_ready() =>
        Assert.Equal("not ready", _filter.Filter(Node("a", ready: false), Request()).Reason);

    [Fact]
    public void Cordoned_node_is_rejected_as_unschedulable() =>
        Assert.Equal("unschedulable", _filter.Filter(Node("a", schedulable: false), Request()).Reason);

    [Fact]
    public void Not_ready_wins_over_unschedulable() =>
        Assert.Equal("not ready", _filter.Filter(Node("a", ready: false, schedulable: false), Request()).Reason);
}
