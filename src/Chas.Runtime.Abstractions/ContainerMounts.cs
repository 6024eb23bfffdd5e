namespace Chas.Runtime;

public enum MountType
{
    /// <summary>A path of the node.</summary>
    Bind,

    /// <summary>A volume the engine manages, by name (created on first use).</summary>
    Volume,

    /// <summary>Memory-backed scratch space; it has no source.</summary>
    Tmpfs,
}

/// <summary>One filesystem mounted into a container.</summary>
/// <param name="Source">The node's path (bind), the volume's name (volume), empty (tmpfs).</param>
/// <param name="Target">The absolute path inside the container.</param>
public sealed record MountSpec(MountType Type, string Source, string Target, bool ReadOnly = false);

public enum NetworkMode
{
    /// <summary>The engine's default network (Docker's bridge): the container's own address, published ports on the node.</summary>
    Bridge,

    /// <summary>The node's own network stack; nothing is published, the container's ports are the node's.</summary>
    Host,

    /// <summary>Loopback only.</summary>
    None,

    /// <summary>A network the engine knows by <see cref="NetworkAttachment.NetworkName"/> (a CNI or user-defined network).</summary>
    Named,
}

/// <summary>Which network a container joins, and how others there find it.</summary>
public sealed record NetworkAttachment
{
    /// <summary>Today's behaviour: the engine's default network, ports published on the node.</summary>
    public static NetworkAttachment Default { get; } = new();

    public NetworkMode Mode { get; init; } = NetworkMode.Bridge;

    /// <summary>Required with <see cref="NetworkMode.Named"/>; ignored otherwise.</summary>
    public string? NetworkName { get; init; }

    /// <summary>Extra names the container answers to on a named network.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>A fixed IPv4 address on a named network; null: the network's IPAM chooses.</summary>
    public string? IPv4Address { get; init; }
}
