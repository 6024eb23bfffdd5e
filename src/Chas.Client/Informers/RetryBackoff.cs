namespace Chas.Client.Informers;

/// <summary>
/// The pause before another try: <see cref="InformerOptions.InitialBackoff"/> doubling up to
/// <see cref="InformerOptions.MaxBackoff"/>, each stretched by up to <see cref="InformerOptions.Jitter"/>
/// (a fraction) so that many clients cut off by one server restart do not all come back in the same instant.
/// </summary>
public sealed class RetryBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly double _jitter;
    private readonly Random _random;
    private TimeSpan _next;

    public RetryBackoff(TimeSpan initial, TimeSpan max, double jitter, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        _initial = initial;
        _max = max;
        _jitter = jitter;
        _random = random ?? Random.Shared;
        _next = initial;
    }

    public RetryBackoff(InformerOptions options)
        : this(options.InitialBackoff, options.MaxBackoff, options.Jitter, options.Random)
    {
    }

    /// <summary>The pause before the next try; the one after it is twice as long (up to the maximum).</summary>
    public TimeSpan Next()
    {
        var current = _next;
        _next = TimeSpan.FromTicks(Math.Min(current.Ticks * 2, _max.Ticks));
        // Random is not thread-safe; a backoff belongs to one loop, so only Random.Shared is ever shared.
        return current + current * (_jitter * _random.NextDouble());
    }

    /// <summary>After a success: the next failure waits the initial pause again.</summary>
    public void Reset() => _next = _initial;

    /// <summary>Waits <see cref="Next"/> on <paramref name="time"/>'s clock.</summary>
    public Task DelayAsync(TimeProvider time, CancellationToken ct) => Task.Delay(Next(), time, ct);
}
