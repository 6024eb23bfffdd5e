namespace Chas.Contracts;

/// <summary>A port the user asks to publish. <see cref="HostPort"/> null means "any free port in the node's range".</summary>
public sealed record PortMapping
{
    public int ContainerPort { get; init; }
    public int? HostPort { get; init; }
    public string Protocol { get; init; } = "tcp";
}

/// <summary>A port as actually published on a node, chosen by the scheduler.</summary>
public sealed record PublishedPort
{
    public int ContainerPort { get; init; }
    public int HostPort { get; init; }
    public string Protocol { get; init; } = "tcp";
    public string HostIp { get; init; } = "";
}

/// <summary>The inclusive range of host ports a node may publish on.</summary>
public sealed record PortRange(int From, int To)
{
    public bool Contains(int port) => port >= From && port <= To;
    public override string ToString() => $"{From}-{To}";
}
