namespace Chas.Contracts;

/// <summary>Which of the servers on one store leads (runs the scheduler and controllers), as one server sees it.</summary>
public sealed record LeadershipStatus
{
    /// <summary>The server that answered.</summary>
    public required string ServerId { get; init; }
    /// <summary>Whether the server that answered leads now.</summary>
    public bool IsLeader { get; init; }
    /// <summary>The leader as last seen by the server that answered; null when unknown (no leader, or none seen yet).</summary>
    public string? Leader { get; init; }
    /// <summary>The fencing token of the answering server's term while it leads; null otherwise, or when the store keeps no leases.</summary>
    public long? Term { get; init; }
}
