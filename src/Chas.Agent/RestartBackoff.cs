namespace Chas.Agent;

/// <summary>
/// Crash-loop back-off: the delay before restarting a container doubles with each quick crash, up
/// to a cap, and starts over once a run lasted long enough to count as healthy.
/// </summary>
internal sealed class RestartBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly TimeSpan _resetAfter;
    private TimeSpan _next;

    public RestartBackoff(TimeSpan initial, TimeSpan max, TimeSpan resetAfter)
    {
        _initial = initial;
        _max = max;
        _resetAfter = resetAfter;
        _next = initial;
    }

    /// <summary>The delay before the next restart, given how long the last run lasted.</summary>
    public TimeSpan Next(TimeSpan lastRunLasted)
    {
        if (lastRunLasted >= _resetAfter) _next = _initial;
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, _max.Ticks));
        return delay;
    }
}
