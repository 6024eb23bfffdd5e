using System.Text.Json.Serialization;

namespace Chas.Contracts;

/// <summary>
/// A namespace: where workloads live, who may touch them (members and their roles), how much they
/// may use (quota), and which workloads need an operator's approval first.
/// </summary>
public sealed record NamespaceResource
{
    public string Name { get; init; } = "";
    /// <summary>The user a personal namespace belongs to; null for shared namespaces and "default".</summary>
    public string? Owner { get; init; }
    public IReadOnlyDictionary<string, Role> Members { get; init; } = new Dictionary<string, Role>();
    public NamespaceQuota? Quota { get; init; }
    public ApprovalPolicy? Approval { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public long ResourceVersion { get; init; }
}

/// <summary>Limits on what a namespace's workloads together may ask for; null fields are unlimited.</summary>
public sealed record NamespaceQuota
{
    public long? CpuMillis { get; init; }
    public long? MemoryBytes { get; init; }
    public int? Gpus { get; init; }
    /// <summary>Running instances: active tasks plus deployment replicas.</summary>
    public int? Instances { get; init; }
}

/// <summary>Which workloads wait in pending-approval until an operator approves them.</summary>
public sealed record ApprovalPolicy
{
    /// <summary>Workloads that ask for any GPU.</summary>
    public bool Gpus { get; init; }
    /// <summary>Workloads whose instances ask for more CPU than this.</summary>
    public long? AboveCpuMillis { get; init; }
    /// <summary>Workloads whose instances ask for more memory than this.</summary>
    public long? AboveMemoryBytes { get; init; }
}

/// <summary>The state of a workload that needed approval.</summary>
[JsonConverter(typeof(WireEnumConverter<ApprovalState>))]
public enum ApprovalState
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("approved")] Approved,
    [JsonStringEnumMemberName("rejected")] Rejected,
}

/// <summary>Who approved or rejected a workload, and why.</summary>
public sealed record ApprovalRecord
{
    public ApprovalState State { get; init; }
    public string? By { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset? At { get; init; }
}

/// <summary>Body of PUT /api/v1/namespaces/{name}: create or update a shared namespace (admin).</summary>
public sealed record ApplyNamespaceRequest
{
    public IReadOnlyDictionary<string, Role>? Members { get; init; }
    public NamespaceQuota? Quota { get; init; }
    public ApprovalPolicy? Approval { get; init; }
}

/// <summary>Body of PUT /api/v1/namespaces/{name}/members/{user}.</summary>
public sealed record GrantRequest
{
    public Role? Role { get; init; }
}

/// <summary>Body of POST .../reject.</summary>
public sealed record RejectRequest
{
    public string? Reason { get; init; }
}

/// <summary>A namespace's quota and what its workloads use now.</summary>
public sealed record QuotaUsage
{
    public long CpuMillis { get; init; }
    public long MemoryBytes { get; init; }
    public int Gpus { get; init; }
    public int Instances { get; init; }
}
