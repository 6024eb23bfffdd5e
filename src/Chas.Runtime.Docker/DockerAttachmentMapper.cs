using Docker.DotNet.Models;

namespace Chas.Runtime.Docker;

/// <summary>
/// Translates a spec's mounts and network attachment into the Engine API's create parameters, and the engine's
/// GET /info into <see cref="RuntimeCapabilities"/>.
/// </summary>
internal static class DockerAttachmentMapper
{
    /// <summary>Null when the spec has none, so that a spec without mounts creates exactly what it did before mounts existed.</summary>
    /// <exception cref="ArgumentException">A mount without a target, or a bind or volume without a source.</exception>
    public static IList<Mount>? ToMounts(ContainerSpec spec)
    {
        if (spec.Mounts.Count == 0) return null;
        var mounts = new List<Mount>(spec.Mounts.Count);
        foreach (var mount in spec.Mounts)
        {
            if (!mount.Target.StartsWith('/'))
                throw new ArgumentException($"Mount target '{mount.Target}' of container '{spec.Name}' is not an absolute path.", nameof(spec));
            if (mount.Type != MountType.Tmpfs && string.IsNullOrWhiteSpace(mount.Source))
                throw new ArgumentException($"The {mount.Type} mount at '{mount.Target}' of container '{spec.Name}' has no source.", nameof(spec));
            mounts.Add(new Mount
            {
                Type = mount.Type switch
                {
                    MountType.Bind => "bind",
                    MountType.Volume => "volume",
                    _ => "tmpfs",
                },
                // The engine refuses a source on tmpfs.
                Source = mount.Type == MountType.Tmpfs ? null : mount.Source,
                Target = mount.Target,
                ReadOnly = mount.ReadOnly,
            });
        }
        return mounts;
    }

    /// <summary>
    /// The engine's network mode: null for the default bridge (what every container got before attachments existed).
    /// </summary>
    /// <exception cref="ArgumentException">A named network without a name, or published ports on host or none.</exception>
    public static string? ToNetworkMode(ContainerSpec spec)
    {
        var network = spec.Network;
        if (network.Mode is NetworkMode.Host or NetworkMode.None && spec.Ports.Count > 0)
        {
            // The engine would drop them with a warning: a task that asked for ports and silently has none.
            throw new ArgumentException(
                $"Container '{spec.Name}' publishes ports but joins the {network.Mode.ToString().ToLowerInvariant()} network, where nothing is published.",
                nameof(spec));
        }
        return network.Mode switch
        {
            NetworkMode.Bridge => null,
            NetworkMode.Host => "host",
            NetworkMode.None => "none",
            _ => string.IsNullOrWhiteSpace(network.NetworkName)
                ? throw new ArgumentException($"Container '{spec.Name}' joins a named network without a name.", nameof(spec))
                : network.NetworkName,
        };
    }

    /// <summary>Aliases and a fixed address on a named network; null otherwise (the engine's default endpoint).</summary>
    public static NetworkingConfig? ToNetworkingConfig(ContainerSpec spec)
    {
        var network = spec.Network;
        if (network.Mode != NetworkMode.Named || network.NetworkName is not { Length: > 0 } name) return null;
        if (network.Aliases.Count == 0 && network.IPv4Address is null) return null;
        return new NetworkingConfig
        {
            EndpointsConfig = new Dictionary<string, EndpointSettings>
            {
                [name] = new EndpointSettings
                {
                    Aliases = network.Aliases.Count > 0 ? [.. network.Aliases] : null,
                    IPAMConfig = network.IPv4Address is { } address ? new EndpointIPAMConfig { IPv4Address = address } : null,
                },
            },
        };
    }

    /// <summary>
    /// What a Docker engine can do, from its GET /info: GPUs with NVIDIA's runtime, volumes and networks by the
    /// plugins it lists. Binds, tmpfs, exec, stats, hardening flags and imports are part of every Linux engine CHaS supports.
    /// </summary>
    public static RuntimeCapabilities ToCapabilities(SystemInfoResponse info)
    {
        var mountTypes = new HashSet<MountType> { MountType.Bind, MountType.Tmpfs };
        // An engine without any volume driver listed is an old or odd one: only then are volumes left out.
        if (info.Plugins?.Volume is not { Count: 0 }) mountTypes.Add(MountType.Volume);

        var networkModes = new HashSet<NetworkMode>();
        var drivers = info.Plugins?.Network;
        if (drivers is null || drivers.Contains("bridge")) networkModes.UnionWith([NetworkMode.Bridge, NetworkMode.Named]);
        if (drivers is null || drivers.Contains("host")) networkModes.Add(NetworkMode.Host);
        if (drivers is null || drivers.Contains("null")) networkModes.Add(NetworkMode.None);
        // Named networks of other drivers (macvlan, overlay, CNI-like plugins).
        if (drivers is not null && drivers.Any(d => d is not ("bridge" or "host" or "null"))) networkModes.Add(NetworkMode.Named);

        return new RuntimeCapabilities
        {
            Exec = true,
            InteractiveExec = true,
            Stats = true,
            Gpus = info.Runtimes?.ContainsKey("nvidia") ?? false,
            MountTypes = mountTypes,
            NetworkModes = networkModes,
            ReadOnlyRootFilesystem = true,
            Privileged = true,
            ImageImport = true,
        };
    }
}
