namespace Chas.Contracts;

/// <summary>A machine running `chas agent`, as the server knows it.</summary>
public sealed record NodeResource
{
    public string Name { get; init; } = "";
    public string Uid { get; init; } = "";
    public string Address { get; init; } = "";
    public string Hostname { get; init; } = "";
    /// <summary>Where the server reaches the agent for logs (and later exec and stats).</summary>
    public string AgentUrl { get; init; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public ResourceAmounts Capacity { get; init; } = ResourceAmounts.Zero;
    /// <summary>Kept back for the system; allocatable = capacity − reserved.</summary>
    public ResourceAmounts Reserved { get; init; } = ResourceAmounts.Zero;
    public IReadOnlyList<GpuInfo> Gpus { get; init; } = [];
    /// <summary>Cordoned: existing work stays, new work goes elsewhere.</summary>
    public bool Unschedulable { get; init; }
    /// <summary>Draining: cordoned, and its deployment instances are being moved away one by one.</summary>
    public bool Draining { get; init; }
    public PortRange PortRange { get; init; } = new(20000, 29999);
    public string Runtime { get; init; } = "";
    public string AgentVersion { get; init; } = "";

    public NodeStatus Status { get; init; } = NodeStatus.NotReady;
    public string? Reason { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    public DateTimeOffset LastHeartbeat { get; init; }

    /// <summary>Computed on read from the tasks bound to the node; never stored.</summary>
    public NodeAllocation? Allocated { get; init; }

    public long ResourceVersion { get; init; }

    public ResourceAmounts Allocatable => Capacity.Subtract(Reserved);
}

public sealed record NodeAllocation
{
    public long CpuMillis { get; init; }
    public long MemoryBytes { get; init; }
    public int Tasks { get; init; }
}
