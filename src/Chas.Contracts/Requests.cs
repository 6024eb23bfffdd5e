namespace Chas.Contracts;

/// <summary>Body of POST /api/v1/tasks.</summary>
public sealed record CreateTaskRequest
{
    public string? Name { get; init; }
    public string? Namespace { get; init; }
    public string? Image { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
    public long? CpuMillis { get; init; }
    public long? MemoryBytes { get; init; }
    public IReadOnlyList<PortMapping>? Ports { get; init; }
    public int? Gpus { get; init; }
    public IReadOnlyList<int>? GpuIndices { get; init; }
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }
    public PlacementStrategyName? Strategy { get; init; }
    public RestartPolicy? RestartPolicy { get; init; }
    public int? MaxRestarts { get; init; }
    public bool? Privileged { get; init; }
    public bool? ReadOnlyRootFilesystem { get; init; }
}

/// <summary>Body of POST /api/v1/nodes (agent registration).</summary>
public sealed record RegisterNodeRequest
{
    public string? Name { get; init; }
    public string? Address { get; init; }
    public string? Hostname { get; init; }
    public string? AgentUrl { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public ResourceAmounts? Capacity { get; init; }
    public ResourceAmounts? Reserved { get; init; }
    public IReadOnlyList<GpuInfo>? Gpus { get; init; }
    public PortRange? PortRange { get; init; }
    public string? Runtime { get; init; }
    public string? AgentVersion { get; init; }
}

/// <summary>Body of POST /api/v1/nodes/{name}/heartbeat.</summary>
public sealed record HeartbeatRequest
{
    public int RunningContainers { get; init; }
}

/// <summary>Body of PUT /api/v1/tasks/{name}/status: what the agent saw happen to the container.</summary>
public sealed record TaskStatusReport
{
    public TaskPhase Status { get; init; }
    public string? Node { get; init; }
    public string? Uid { get; init; }
    public string? ContainerId { get; init; }
    public int? ExitCode { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Readiness as the agent's probe sees it; null leaves it as it is.</summary>
    public bool? Ready { get; init; }
    public int? RestartCount { get; init; }
    /// <summary>e.g. "crash-loop back-off: restarting in 8s (exit code 1)".</summary>
    public string? Reason { get; init; }
}

/// <summary>A list plus the store revision it was read at, so a watch can resume exactly after it.</summary>
public sealed record ResourceList<T>
{
    public IReadOnlyList<T> Items { get; init; } = [];
    public long Revision { get; init; }
}

/// <summary>One event of a watch stream (SSE `data:` payload).</summary>
public sealed record WatchEvent<T>
{
    public string Type { get; init; } = "";
    public long Revision { get; init; }
    public T? Object { get; init; }
}

public static class WatchEventTypes
{
    public const string Added = "added";
    public const string Modified = "modified";
    public const string Deleted = "deleted";
    public const string Bookmark = "bookmark";
}

/// <summary>What to read of a task's output (GET /api/v1/tasks/{name}/logs).</summary>
public sealed record TaskLogQuery
{
    public bool Follow { get; init; }
    /// <summary>Only the last N lines; null: all.</summary>
    public int? Tail { get; init; }
    public bool Timestamps { get; init; }
    /// <summary>Only lines written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Only what the container wrote to stderr.</summary>
    public bool StderrOnly { get; init; }
}
