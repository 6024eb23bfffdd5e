using System.Text.Json.Serialization;

namespace Chas.Contracts;

/// <summary>
/// A run-to-completion container (seed 5's task). Flat on purpose: `chas ps -o json` and the API
/// return the same shape, with <c>status</c> as the lowercase phase.
/// </summary>
public sealed record TaskResource
{
    // What the user asked for.
    public string Name { get; init; } = "";
    public string Namespace { get; init; } = Namespaces.Default;
    public string Uid { get; init; } = "";
    public string Image { get; init; } = "";
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public long CpuMillis { get; init; }
    public long MemoryBytes { get; init; }
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];

    /// <summary>Set by `chas stop`: the agent stops the container and reports <see cref="TaskPhase.Stopped"/>.</summary>
    public bool StopRequested { get; init; }

    // What happened to it.
    public TaskPhase Status { get; init; } = TaskPhase.Pending;
    /// <summary>Why the task is where it is: the scheduler's explanation while pending, or a short cause.</summary>
    public string? Reason { get; init; }
    public string? Node { get; init; }
    public IReadOnlyList<PublishedPort> PublishedPorts { get; init; } = [];
    public string? ContainerId { get; init; }
    public int? ExitCode { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ScheduledAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    public long ResourceVersion { get; init; }

    [JsonIgnore]
    public ResourceAmounts Requests => new() { CpuMillis = CpuMillis, MemoryBytes = MemoryBytes };
}

public static class Namespaces
{
    public const string Default = "default";
}
