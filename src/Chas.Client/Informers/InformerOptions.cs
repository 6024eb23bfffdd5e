namespace Chas.Client.Informers;

/// <summary>How an <see cref="Informer{T}"/> retries and when it gives a silent stream up.</summary>
public sealed record InformerOptions
{
    /// <summary>
    /// A watch that brings neither an event nor a bookmark for this long is dead (a peer gone without a reset):
    /// the server sends a bookmark every 10 s of silence.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(35);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Each pause is stretched by a random fraction up to this (0.2: up to 20 % longer).</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>The jitter's source; tests pass a seeded one. Null: <see cref="Random.Shared"/>.</summary>
    public Random? Random { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// After a break (a stream that ended, broke or stalled), watch again from the last revision seen instead of
    /// listing, as client-go's reflector does; only a 410 (the revision is gone) lists again. For readers of many
    /// objects that the server may drop for falling behind. Off by default: the agent reconciles every list.
    /// </summary>
    public bool ResumeAfterBreak { get; init; }
}
