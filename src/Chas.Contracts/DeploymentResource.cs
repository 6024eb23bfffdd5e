using System.Text.Json.Serialization;

namespace Chas.Contracts;

/// <summary>
/// How many instances a deployment runs: <c>replicated</c> keeps <c>replicas</c> of them wherever they fit
/// (the default, and what a stored deployment without the field is); <c>system</c> keeps exactly one on
/// every ready, schedulable node that matches the template's node selector (Kubernetes' DaemonSet, Nomad's
/// system job), so a node that joins gets one and a node that leaves or stops matching loses its own.
/// </summary>
[JsonConverter(typeof(WireEnumConverter<DeploymentMode>))]
public enum DeploymentMode
{
    // Replicated must stay the zero value: rows written before the field existed read as default(T).
    [JsonStringEnumMemberName("replicated")] Replicated,
    [JsonStringEnumMemberName("system")] System,
}

/// <summary>What every instance of one revision of a deployment runs.</summary>
public sealed record WorkloadTemplate
{
    public string Image { get; init; } = "";
    public IReadOnlyList<string> Command { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public long CpuMillis { get; init; }
    public long MemoryBytes { get; init; }
    public int Gpus { get; init; }
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();
    public PlacementStrategyName Strategy { get; init; } = PlacementStrategyName.Spread;
    public ProbeSpec? Liveness { get; init; }
    public ProbeSpec? Readiness { get; init; }
    /// <summary>Full access to the host's devices; only admins may ask for it.</summary>
    public bool Privileged { get; init; }
    public bool ReadOnlyRootFilesystem { get; init; }
}

public sealed record DeploymentRevision
{
    public int Revision { get; init; }
    public WorkloadTemplate Template { get; init; } = new();
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// N copies of a long-running container kept running on the right nodes. Changing the template
/// makes a new revision, rolled out max-surge/max-unavailable at a time, each new instance ready
/// before an old one stops.
/// </summary>
public sealed record DeploymentResource
{
    public string Name { get; init; } = "";
    public string Namespace { get; init; } = Namespaces.Default;
    public string Uid { get; init; } = "";
    public DeploymentMode Mode { get; init; }
    /// <summary>
    /// Replicated: the instances wanted. System: observed by the controller, the number of nodes that
    /// should run one (ready, schedulable, matching the selector); users never set it.
    /// </summary>
    public int Replicas { get; init; }
    public WorkloadTemplate Template { get; init; } = new();
    /// <summary>
    /// Extra instances while old ones remain. System: nodes where the new instance starts beside the old one
    /// (same node, so only without fixed host ports); system deployments default to 0.
    /// </summary>
    public int MaxSurge { get; init; } = 1;
    /// <summary>Ready instances a rollout may go without. System: nodes updated at once, stop old then start new (default 1).</summary>
    public int MaxUnavailable { get; init; }
    /// <summary>A rollout whose new instances are not all ready this long after it began is marked failed.</summary>
    public double ProgressDeadlineSeconds { get; init; } = 120;
    /// <summary>How the ingress routes to it (when it publishes a port).</summary>
    public IngressSpec? Ingress { get; init; }
    /// <summary>Set when the namespace's policy asks for approval: no instance starts while it is pending or rejected.</summary>
    public ApprovalRecord? Approval { get; init; }

    /// <summary>The revision the deployment wants; older ones are replaced.</summary>
    public int Revision { get; init; } = 1;
    /// <summary>Earlier templates (newest last, at most 10) for `chas rollout undo`.</summary>
    public IReadOnlyList<DeploymentRevision> History { get; init; } = [];

    // Observed by the deployment controller.
    public int ReadyReplicas { get; init; }
    public int UpdatedReplicas { get; init; }
    public int AvailableReplicas { get; init; }
    /// <summary>"progressing", "complete" or "failed".</summary>
    public string RolloutStatus { get; init; } = RolloutStates.Progressing;
    public string? RolloutMessage { get; init; }
    public DateTimeOffset? RolloutStartedAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public long ResourceVersion { get; init; }
}

public static class RolloutStates
{
    public const string Progressing = "progressing";
    public const string Complete = "complete";
    public const string Failed = "failed";
}

/// <summary>Body of PUT /api/v1/deployments/{name}: create, or update (a new revision when the template changes).</summary>
public sealed record ApplyDeploymentRequest
{
    public string? Name { get; init; }
    public string? Namespace { get; init; }
    /// <summary>Replicated when a new deployment leaves it out; an update that leaves it out keeps the current mode.</summary>
    public DeploymentMode? Mode { get; init; }
    /// <summary>Replicated deployments only: a system deployment's count is its matching nodes.</summary>
    public int? Replicas { get; init; }
    public string? Image { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
    public long? CpuMillis { get; init; }
    public long? MemoryBytes { get; init; }
    public int? Gpus { get; init; }
    public IReadOnlyList<PortMapping>? Ports { get; init; }
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }
    public PlacementStrategyName? Strategy { get; init; }
    public ProbeSpec? Liveness { get; init; }
    public ProbeSpec? Readiness { get; init; }
    public int? MaxSurge { get; init; }
    public int? MaxUnavailable { get; init; }
    public double? ProgressDeadlineSeconds { get; init; }
    public IngressSpec? Ingress { get; init; }
    public bool? Privileged { get; init; }
    public bool? ReadOnlyRootFilesystem { get; init; }
}

public sealed record ScaleRequest
{
    public int? Replicas { get; init; }
}
