using Chas.Scheduling.Filters;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

public class ResourcesFitFilterTests
{
    private readonly ResourcesFitFilter _filter = new();

    [Fact]
    public void Request_that_exactly_fills_the_node_fits() =>
        Assert.True(_filter.Filter(Node("a", 4000, 8 * GiB, allocatedCpu: 3000, allocatedMemory: 6 * GiB), Request(1000, 2 * GiB)).IsSuccess);

    [Fact]
    public void One_milli_cpu_too_many_is_insufficient_cpu() =>
        Assert.Equal("insufficient cpu", _filter.Filter(Node("a", 4000, 8 * GiB, allocatedCpu: 3000), Request(1001, GiB)).Reason);

    [Fact]
    public void One_byte_too_many_is_insufficient_memory() =>
        Assert.Equal("insufficient memory", _filter.Filter(Node("a", 4000, 8 * GiB, allocatedMemory: 6 * GiB), Request(100, 2 * GiB + 1)).Reason);

    [Fact]
    public void Memory_is_reported_when_both_are_short() =>
        Assert.Equal("insufficient memory", _filter.Filter(Node("a", 1000, GiB), Request(2000, 2 * GiB)).Reason);

    [Fact]
    public void Zero_request_fits_an_over_committed_node() =>
        Assert.True(_filter.Filter(Node("a", 1000, GiB, allocatedCpu: 2000, allocatedMemory: 2 * GiB), Request()).IsSuccess);

    [Fact]
    public void Zero_in_one_dimension_only_checks_the_other()
    {
        var fullCpu = Node("a", 1000, 4 * GiB, allocatedCpu: 1000);
        Assert.True(_filter.Filter(fullCpu, Request(0, GiB)).IsSuccess);
        Assert.Equal("insufficient cpu", _filter.Filter(fullCpu, Request(1, GiB)).Reason);
    }

    [Fact]
    public void Huge_requests_do_not_overflow_into_fitting() =>
        Assert.Equal("insufficient memory", _filter.Filter(Node("a", allocatedMemory: GiB), Request(1, long.MaxValue)).Reason);
}
