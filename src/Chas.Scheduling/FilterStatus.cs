namespace Chas.Scheduling;

/// <summary>
/// A filter's verdict on one node. A struct so that the common case, success, allocates nothing
/// across thousands of nodes. The reason is short and node-independent where possible, because
/// the scheduler counts equal reasons: "0/3 nodes available: 2 insufficient memory, 1 not ready".
/// </summary>
public readonly record struct FilterStatus
{
    private FilterStatus(string? reason) => Reason = reason;

    public static FilterStatus Success => default;

    /// <summary>Null when the node passed.</summary>
    public string? Reason { get; }

    public bool IsSuccess => Reason is null;

    public static FilterStatus Reject(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new FilterStatus(reason);
    }

    public override string ToString() => Reason ?? "success";
}
