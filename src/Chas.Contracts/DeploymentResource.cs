namespace Chas.Contracts;

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
    public int Replicas { get; init; }
    public WorkloadTemplate Template { get; init; } = new();
    public int MaxSurge { get; init; } = 1;
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
