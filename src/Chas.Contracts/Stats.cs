namespace Chas.Contracts;

/// <summary>
/// Resource use of one container or node at one moment (the agent samples every second and keeps ten minutes).
/// CPU is the average over the second before <see cref="Time"/>; network and block I/O are cumulative byte counts
/// (a rate is the difference of two samples).
/// </summary>
public sealed record StatsSample
{
    public DateTimeOffset Time { get; init; }
    /// <summary>CPU in use, in millicores (1000 = one core busy).</summary>
    public long CpuMillis { get; init; }
    /// <summary>Of the container's CPU limit, or of the node's cores; 0 when there is no limit to compare with.</summary>
    public double CpuPercent { get; init; }
    public long MemoryBytes { get; init; }
    /// <summary>The container's memory limit, or the node's memory.</summary>
    public long MemoryLimitBytes { get; init; }
    public long NetRxBytes { get; init; }
    public long NetTxBytes { get; init; }
    public long BlockReadBytes { get; init; }
    public long BlockWriteBytes { get; init; }
    /// <summary>Processes in the container (nodes: 0).</summary>
    public int Pids { get; init; }
    /// <summary>Nodes only: bytes used and size of the filesystem holding the container engine's data (/).</summary>
    public long? FilesystemUsedBytes { get; init; }
    public long? FilesystemTotalBytes { get; init; }
    /// <summary>Nodes with GPUs only.</summary>
    public IReadOnlyList<GpuUsage>? Gpus { get; init; }
}

public sealed record GpuUsage
{
    /// <summary>As nvidia-smi numbers it.</summary>
    public int Index { get; init; }
    public double UtilizationPercent { get; init; }
    public long MemoryUsedBytes { get; init; }
}

/// <summary>The samples of one task (its container) or one node, oldest first.</summary>
public sealed record StatsSeries
{
    /// <summary>"task" or "node".</summary>
    public string Kind { get; init; } = "";
    /// <summary>The task's or the node's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>Tasks only.</summary>
    public string? Namespace { get; init; }
    /// <summary>The node the samples come from.</summary>
    public string? Node { get; init; }
    /// <summary>Tasks only: the container sampled.</summary>
    public string? ContainerId { get; init; }
    /// <summary>Why there are no samples (the node did not answer); null when it did.</summary>
    public string? Error { get; init; }
    public IReadOnlyList<StatsSample> Samples { get; init; } = [];

    public const string TaskKind = "task";
    public const string NodeKind = "node";
}
