using Chas.Contracts;

namespace Chas.Server.Tenancy;

/// <summary>Which workloads a namespace holds for an operator's approval (seed 2): GPU work, or instances above a size.</summary>
public static class Approvals
{
    public static bool Needed(ApprovalPolicy? policy, long cpuMillis, long memoryBytes, int gpus) =>
        policy is not null
        && ((policy.Gpus && gpus > 0)
            || (policy.AboveCpuMillis is { } cpu && cpuMillis > cpu)
            || (policy.AboveMemoryBytes is { } memory && memoryBytes > memory));

    public static ApprovalRecord Pending { get; } = new() { State = ApprovalState.Pending };

    /// <summary>Instances may run: no approval was needed, or it was given.</summary>
    public static bool Cleared(ApprovalRecord? approval) => approval is null || approval.State == ApprovalState.Approved;
}
