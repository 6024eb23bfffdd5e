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
    /// A read whose response headers do not come within this goes to the next server: a frozen server (stopped,
    /// or cut off from its clients after the connection was made) accepts connections but never answers. Only the
    /// headers are timed; a watch or a log follow then streams for as long as it lasts.
    /// </summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(15);

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
