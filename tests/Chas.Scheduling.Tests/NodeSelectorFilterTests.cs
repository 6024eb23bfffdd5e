using Chas.Scheduling.Filters;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

public class NodeSelectorFilterTests
{
    private readonly NodeSelectorFilter _filter = new();
    private static readonly Dictionary<string, string> SsdInEurope = new() { ["disk"] = "ssd", ["zone"] = "eu-1" };

    [Fact]
    public void Empty_selector_matches_any_node() =>
        Assert.True(_filter.Filter(Node("a"), Request()).IsSuccess);

    [Fact]
    public void Node_with_all_selected_labels_passes_even_with_extra_labels()
    {
        var labels = new Dictionary<string, string>(SsdInEurope) { ["gpu"] = "none" };
        Assert.True(_filter.Filter(Node("a", labels: labels), Request(nodeSelector: SsdInEurope)).IsSuccess);
    }

    [Fact]
    public void Missing_label_is_a_mismatch() =>
        Assert.Equal("node selector mismatch",
            _filter.Filter(Node("a", labels: new Dictionary<string, string> { ["disk"] = "ssd" }), Request(nodeSelector: SsdInEurope)).Reason);

    [Fact]
    public void Different_value_is_a_mismatch() =>
        Assert.Equal("node selector mismatch",
            _filter.Filter(Node("a", labels: new Dictionary<string, string> { ["disk"] = "hdd", ["zone"] = "eu-1" }), Request(nodeSelector: SsdInEurope)).Reason);

    [Fact]
    public void Values_compare_case_sensitively() =>
        Assert.False(_filter.Filter(Node("a", labels: new Dictionary<string, string> { ["disk"] = "SSD", ["zone"] = "eu-1" }), Request(nodeSelector: SsdInEurope)).IsSuccess);
}
