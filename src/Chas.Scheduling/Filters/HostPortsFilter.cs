using Chas.Contracts;

namespace Chas.Scheduling.Filters;

/// <summary>
/// Host ports: a fixed one must lie in the node's range, be free, and be asked for only once;
/// the others need as many free ports of their protocol in the range as they are.
/// </summary>
public sealed class HostPortsFilter : IFilterPlugin
{
    public const string NoFreeHostPort = "no free host port";

    private static readonly FilterStatus NoFreeHostPortStatus = FilterStatus.Reject(NoFreeHostPort);

    public string Name => "HostPorts";

    public FilterStatus Filter(NodeSnapshot node, PlacementRequest request)
    {
        var ports = request.Ports;
        if (ports.Count == 0) return FilterStatus.Success;
        var range = node.PortRange;
        var used = node.UsedPorts;
        int fixedCount = 0, autoCount = 0;
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            if (port.HostPort is not { } hostPort) { autoCount++; continue; }
            fixedCount++;
            if (!range.Contains(hostPort))
                return FilterStatus.Reject($"host port {hostPort} outside node port range {range}");
            if (HostPortKey.IsUsed(used, hostPort, port.Protocol))
                return FilterStatus.Reject($"host port {HostPortKey.Format(hostPort, port.Protocol)} in use");
            if (IsFixedEarlier(ports, i, hostPort, port.Protocol))
                return FilterStatus.Reject($"host port {HostPortKey.Format(hostPort, port.Protocol)} requested twice");
        }
        if (autoCount == 0) return FilterStatus.Success;

        // Fast path, no parsing: enough room even if every used and fixed port took a slot of this range.
        long rangeSize = (long)range.To - range.From + 1;
        if (rangeSize - used.Count - fixedCount >= autoCount) return FilterStatus.Success;

        return EnoughFreePortsPerProtocol(ports, range, used, rangeSize) ? FilterStatus.Success : NoFreeHostPortStatus;
    }

    private static bool IsFixedEarlier(IReadOnlyList<PortMapping> ports, int index, int hostPort, string protocol)
    {
        for (var j = 0; j < index; j++)
        {
            if (ports[j].HostPort == hostPort && ports[j].Protocol == protocol) return true;
        }
        return false;
    }

    /// <summary>
    /// The exact count, per protocol: range size − used in range − fixed ones of this request.
    /// Fixed ones are known to be in range, free and distinct by now, so they never double-count.
    /// </summary>
    private static bool EnoughFreePortsPerProtocol(IReadOnlyList<PortMapping> ports, PortRange range, IReadOnlySet<string> used, long rangeSize)
    {
        for (var i = 0; i < ports.Count; i++)
        {
            var protocol = ports[i].Protocol;
            if (ports[i].HostPort is not null || IsProtocolSeenBefore(ports, i, protocol)) continue;
            int wanted = 0, fixedOfProtocol = 0;
            for (var j = 0; j < ports.Count; j++)
            {
                if (ports[j].Protocol != protocol) continue;
                if (ports[j].HostPort is null) wanted++;
                else fixedOfProtocol++;
            }
            var free = rangeSize - HostPortKey.CountUsedInRange(used, range, protocol) - fixedOfProtocol;
            if (free < wanted) return false;
        }
        return true;
    }

    private static bool IsProtocolSeenBefore(IReadOnlyList<PortMapping> ports, int index, string protocol)
    {
        for (var j = 0; j < index; j++)
        {
            if (ports[j].HostPort is null && ports[j].Protocol == protocol) return true;
        }
        return false;
    }
}
