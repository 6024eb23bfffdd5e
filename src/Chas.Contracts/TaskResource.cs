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
    /// <summary>Number of GPUs wanted (any free ones), unless <see cref="GpuIndices"/> names exact ones.</summary>
    public int Gpus { get; init; }
    public IReadOnlyList<int> GpuIndices { get; init; } = [];
    /// <summary>Only nodes carrying every one of these labels.</summary>
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// A system deployment's instance belongs to one node: the scheduler checks only this one (resources,
    /// ports, GPUs), makes no spreading decision, and leaves the instance pending while it does not fit.
    /// </summary>
    public string? PinnedNode { get; init; }
    public PlacementStrategyName Strategy { get; init; } = PlacementStrategyName.Spread;
    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.Never;
    /// <summary>With on-failure: restarts allowed before the task fails for good (null: no limit).</summary>
    public int? MaxRestarts { get; init; }
    public ProbeSpec? Liveness { get; init; }
    public ProbeSpec? Readiness { get; init; }
    /// <summary>Full access to the host's devices; only admins may ask for it.</summary>
    public bool Privileged { get; init; }
    public bool ReadOnlyRootFilesystem { get; init; }
    /// <summary>Set when the namespace's policy asks for approval (phase pending-approval until approved).</summary>
    public ApprovalRecord? Approval { get; init; }

    /// <summary>The deployment this is an instance of (null for a standalone task), and its revision.</summary>
    public string? Deployment { get; init; }
    public int? Revision { get; init; }

    /// <summary>Set by `chas stop`: the agent stops the container and reports <see cref="TaskPhase.Stopped"/>.</summary>
    public bool StopRequested { get; init; }

    // What happened to it.
    public TaskPhase Status { get; init; } = TaskPhase.Pending;
    /// <summary>Why the task is where it is: the scheduler's explanation while pending, or a short cause.</summary>
    public string? Reason { get; init; }
    public string? Node { get; init; }
    public IReadOnlyList<PublishedPort> PublishedPorts { get; init; } = [];
    /// <summary>GPU indices the scheduler allocated on <see cref="Node"/>.</summary>
    public IReadOnlyList<int> AssignedGpus { get; init; } = [];
    /// <summary>Passes its readiness probe (or runs and has none): may receive traffic.</summary>
    public bool Ready { get; init; }
    public int RestartCount { get; init; }
    public string? ContainerId { get; init; }
    public int? ExitCode { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ScheduledAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    public long ResourceVersion { get; init; }

    /// <summary>The first published host port, for tables and scripts.</summary>
    public int? HostPort => PublishedPorts.Count > 0 ? PublishedPorts[0].HostPort : null;

    [JsonIgnore]
    public ResourceAmounts Requests => new() { CpuMillis = CpuMillis, MemoryBytes = MemoryBytes };
}

public static class Namespaces
{
    public const string Default = "default";
}
