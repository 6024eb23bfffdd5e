using Chas.Scheduling.Filters;
using Chas.Scheduling.Scorers;

namespace Chas.Scheduling;

/// <summary>
/// The built-in plugins by their <c>Name</c>, case-insensitively, so that configuration can pick them
/// with a string: <c>SchedulerPlugins.Filter("gpus")</c>. Plugins are pure and stateless, so one shared
/// instance of each serves every scheduler and thread.
/// </summary>
public static class SchedulerPlugins
{
    // In the order Scheduler.CreateDefault runs them; a new plugin goes here and there.
    private static readonly IFilterPlugin[] Filters =
        [new NodeReadyFilter(), new NodeSelectorFilter(), new ResourcesFitFilter(), new GpuFilter(), new HostPortsFilter()];

    private static readonly IScorePlugin[] Scorers = [new LeastAllocatedScorer(), new MostAllocatedScorer(), new GroupSpreadScorer()];

    public static IReadOnlyList<string> FilterNames { get; } = [.. Filters.Select(filter => filter.Name)];

    public static IReadOnlyList<string> ScorerNames { get; } = [.. Scorers.Select(scorer => scorer.Name)];

    /// <exception cref="ArgumentException">No built-in filter has that name; the message lists those that do.</exception>
    public static IFilterPlugin Filter(string name) => Find(Filters, FilterNames, name, "filter");

    /// <exception cref="ArgumentException">No built-in scorer has that name; the message lists those that do.</exception>
    public static IScorePlugin Scorer(string name) => Find(Scorers, ScorerNames, name, "scorer");

    private static T Find<T>(T[] plugins, IReadOnlyList<string> names, string name, string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        for (var i = 0; i < plugins.Length; i++)
        {
            if (string.Equals(names[i], name.Trim(), StringComparison.OrdinalIgnoreCase)) return plugins[i];
        }
        throw new ArgumentException($"Unknown scheduler {kind} '{name}'. Known: {string.Join(", ", names)}.", nameof(name));
    }
}
