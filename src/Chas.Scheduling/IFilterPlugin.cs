namespace Chas.Scheduling;

/// <summary>
/// A feasibility check: can this request run on this node at all? Like a Kubernetes Filter plugin
/// or a Nomad feasibility checker. Must be pure and thread-safe; it runs once per node per placement.
/// </summary>
public interface IFilterPlugin
{
    string Name { get; }

    FilterStatus Filter(NodeSnapshot node, PlacementRequest request);
}
