namespace Chas.Scheduling.Filters;

/// <summary>
/// Only nodes whose agent is heartbeating and that are not cordoned take new work.
/// Runs first so that a dead node is reported as "not ready", not as whatever else it lacks.
/// </summary>
public sealed class NodeReadyFilter : IFilterPlugin
{
    public const string NotReady = "not ready";
    public const string Unschedulable = "unschedulable";

    private static readonly FilterStatus NotReadyStatus = FilterStatus.Reject(NotReady);
    private static readonly FilterStatus UnschedulableStatus = FilterStatus.Reject(Unschedulable);

    public string Name => "NodeReady";

    public FilterStatus Filter(NodeSnapshot node, PlacementRequest request)
    {
        if (!node.Ready) return NotReadyStatus;
        if (!node.Schedulable) return UnschedulableStatus;
        return FilterStatus.Success;
    }
}
