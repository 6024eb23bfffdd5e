using Chas.Contracts;

namespace Chas.Scheduling;

/// <summary>
/// Chooses the host ports of a request on the node it was placed on: fixed ones as asked, the others
/// the lowest ports of the node's range that are neither used nor already chosen for this request.
/// Lowest-first keeps the choice deterministic and easy to predict when reading a node's ports.
/// </summary>
internal static class HostPortPicker
{
    public static IReadOnlyList<PublishedPort> Pick(NodeSnapshot node, IReadOnlyList<PortMapping> ports)
    {
        if (ports.Count == 0) return [];
        var published = new PublishedPort[ports.Count];
        var chosen = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].HostPort is { } hostPort)
            {
                published[i] = Publish(node, ports[i], hostPort);
                chosen.Add(HostPortKey.Format(hostPort, ports[i].Protocol));
            }
        }

        // One cursor per protocol: ports chosen here only grow, so no candidate is looked at twice.
        var nextCandidate = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].HostPort is not null) continue;
            var protocol = ports[i].Protocol;
            var candidate = nextCandidate.GetValueOrDefault(protocol, node.PortRange.From);
            while (candidate <= node.PortRange.To
                   && (HostPortKey.IsUsed(node.UsedPorts, candidate, protocol) || chosen.Contains(HostPortKey.Format(candidate, protocol))))
            {
                candidate++;
            }
            if (candidate > node.PortRange.To)
            {
                // Only reachable when the scheduler was built without HostPortsFilter.
                throw new InvalidOperationException(
                    $"Node '{node.Name}' passed every filter but has no free {protocol} host port in {node.PortRange}.");
            }
            published[i] = Publish(node, ports[i], candidate);
            nextCandidate[protocol] = candidate + 1;
        }
        return published;
    }

    private static PublishedPort Publish(NodeSnapshot node, PortMapping port, int hostPort) => new()
    {
        ContainerPort = port.ContainerPort,
        HostPort = hostPort,
        Protocol = port.Protocol,
        HostIp = node.Address,
    };
}
