namespace Chas.Contracts;

/// <summary>Which nodes a system deployment runs on, in one place for the controller, the API's quota check and the CLI.</summary>
public static class SystemDeployments
{
    public static string ToWire(this DeploymentMode mode) => mode == DeploymentMode.System ? "system" : "replicated";

    /// <summary>
    /// Ready, not cordoned or draining, and carrying every label of the selector: a node that stops being
    /// one of these loses its instance, one that becomes one gets an instance.
    /// </summary>
    public static bool RunsOn(IReadOnlyDictionary<string, string> selector, NodeResource node) =>
        node.Status == NodeStatus.Ready && !node.Unschedulable && !node.Draining
        && selector.All(s => node.Labels.TryGetValue(s.Key, out var value) && string.Equals(value, s.Value, StringComparison.Ordinal));

    /// <summary>The nodes a system deployment with this template should run on, by name.</summary>
    public static IReadOnlyList<NodeResource> NodesFor(WorkloadTemplate template, IEnumerable<NodeResource> nodes) =>
        [.. nodes.Where(n => RunsOn(template.NodeSelector, n)).OrderBy(n => n.Name, StringComparer.Ordinal)];
}
