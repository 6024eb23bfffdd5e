namespace Chas.Client.Failover;

/// <summary>How a <see cref="ServerFailoverHandler"/> moves between the servers of a cluster.</summary>
public sealed record ServerFailoverOptions
{
    /// <summary>
    /// A connection not made within this is a dead server (a machine gone without a reset): the next one is tried.
    /// Set on the handler's own connections; the system default would wait minutes.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How many times every server is tried before a request fails. Rounds after the first wait a pause that grows
    /// (a cluster whose database restarts answers 503 everywhere for a moment).
    /// </summary>
    public int Rounds { get; init; } = 2;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(2);
    public double Jitter { get; init; } = 0.2;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
