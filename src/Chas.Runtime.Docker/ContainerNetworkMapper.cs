using System.Globalization;
using Docker.DotNet.Models;

namespace Chas.Runtime.Docker;

/// <summary>Reads a container's address and published ports from the engine's inspect answer (`chas forward`).</summary>
internal static class ContainerNetworkMapper
{
    public static ContainerNetwork ToContainerNetwork(ContainerInspectResponse container)
    {
        var settings = container.NetworkSettings;
        // The default bridge fills the top-level address; user-defined networks only their own entry.
        var address = settings?.IPAddress is { Length: > 0 } bridge ? bridge
            : settings?.Networks?.Values.Select(n => n.IPAddress).FirstOrDefault(a => !string.IsNullOrEmpty(a));
        var published = new List<PortBinding>();
        foreach (var (key, bindings) in settings?.Ports ?? new Dictionary<string, IList<global::Docker.DotNet.Models.PortBinding>>())
        {
            // "8080/tcp" → [{HostIp: "127.0.0.1", HostPort: "20000"}]; unpublished exposed ports have no bindings.
            var parts = key.Split('/');
            if (bindings is null || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var containerPort)) continue;
            var protocol = parts.Length > 1 ? parts[1] : "tcp";
            foreach (var binding in bindings)
            {
                if (int.TryParse(binding.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort))
                    published.Add(new PortBinding(containerPort, hostPort, binding.HostIP ?? "", protocol));
            }
        }
        return new ContainerNetwork(string.IsNullOrEmpty(address) ? null : address, published);
    }
}
