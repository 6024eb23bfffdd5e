using Chas.Scheduling.Filters;
using Chas.Scheduling.Scorers;

namespace Chas.Scheduling.Tests;

public class SchedulerPluginsTests
{
    [Fact]
    public void Filters_are_listed_in_the_order_the_default_scheduler_runs_them() =>
        Assert.Equal(["NodeReady", "NodeSelector", "ResourcesFit", "Gpus", "HostPorts"], SchedulerPlugins.FilterNames);

    [Fact]
    public void Scorers_are_listed_by_name() =>
        Assert.Equal(["LeastAllocated", "MostAllocated", "GroupSpread"], SchedulerPlugins.ScorerNames);

    [Fact]
    public void Every_listed_name_finds_the_plugin_of_that_name()
    {
        foreach (var name in SchedulerPlugins.FilterNames) Assert.Equal(name, SchedulerPlugins.Filter(name).Name);
        foreach (var name in SchedulerPlugins.ScorerNames) Assert.Equal(name, SchedulerPlugins.Scorer(name).Name);
    }

    [Fact]
    public void Names_match_case_insensitively()
    {
        Assert.IsType<GpuFilter>(SchedulerPlugins.Filter("gpus"));
        Assert.IsType<GroupSpreadScorer>(SchedulerPlugins.Scorer("groupspread"));
        Assert.IsType<LeastAllocatedScorer>(SchedulerPlugins.Scorer(" LEASTALLOCATED "));
    }

    [Fact]
    public void Unknown_names_are_refused_with_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => SchedulerPlugins.Filter("gpu-count"));
        Assert.Contains("'gpu-count'", error.Message);
        Assert.Contains("NodeReady, NodeSelector, ResourcesFit, Gpus, HostPorts", error.Message);
        Assert.Throws<ArgumentException>(() => SchedulerPlugins.Scorer("ResourcesFit"));
        Assert.Throws<ArgumentException>(() => SchedulerPlugins.Filter(""));
    }

    [Fact]
    public void Plugins_picked_by_name_build_a_working_scheduler()
    {
        var scheduler = new Scheduler(
            new[] { "nodeready", "gpus" }.Select(SchedulerPlugins.Filter),
            new Dictionary<PlacementStrategy, IReadOnlyList<WeightedScorePlugin>>
            {
                [PlacementStrategy.Spread] = [new WeightedScorePlugin(SchedulerPlugins.Scorer("leastallocated"))],
            });
        var cluster = TestData.Cluster(TestData.Node("a"), TestData.Node("b", gpus: [0]));
        Assert.Equal("b", scheduler.Place(cluster, TestData.Request(gpus: 1)).Node);
    }
}
