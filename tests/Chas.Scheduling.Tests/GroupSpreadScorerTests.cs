using Chas.Scheduling.Scorers;
using static Chas.Scheduling.Tests.TestData;

namespace Chas.Scheduling.Tests;

public class GroupSpreadScorerTests
{
    private readonly GroupSpreadScorer _scorer = new();

    [Theory]
    [InlineData(0, 100.0)]
    [InlineData(1, 50.0)]
    [InlineData(2, 100.0 / 3)]
    [InlineData(9, 10.0)]
    public void Score_falls_as_the_node_holds_more_of_the_group(int siblings, double expected)
    {
        var node = Node("a", groupCounts: new Dictionary<string, int> { ["api"] = siblings });
        Assert.Equal(expected, _scorer.Score(node, Request(group: "api")), 9);
    }

    [Fact]
    public void Other_groups_on_the_node_do_not_count()
    {
        var node = Node("a", groupCounts: new Dictionary<string, int> { ["worker"] = 5 });
        Assert.Equal(100, _scorer.Score(node, Request(group: "api")));
        Assert.Equal(100, _scorer.Score(Node("b"), Request(group: "api")));
    }

    [Fact]
    public void Group_names_compare_ordinally() =>
        Assert.Equal(100, _scorer.Score(Node("a", groupCounts: new Dictionary<string, int> { ["API"] = 3 }), Request(group: "api")));

    [Fact]
    public void Without_a_group_every_node_scores_the_same()
    {
        var crowded = Node("a", groupCounts: new Dictionary<string, int> { ["api"] = 3 }, workloads: 9);
        foreach (var request in new[] { Request(), Request(group: "") })
        {
            Assert.Equal(0, _scorer.Score(crowded, request));
            Assert.Equal(0, _scorer.Score(Node("b"), request));
        }
    }
}
