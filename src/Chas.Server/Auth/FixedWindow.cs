namespace Chas.Server.Auth;

/// <summary>
/// Windows of a fixed length aligned on the calendar's zero, not on a process's start: every server on one
/// database computes the same window for the same instant, so their counts in <see cref="Chas.Store.ISharedCounters"/> add up.
/// </summary>
internal static class FixedWindow
{
    public static DateTimeOffset StartOf(DateTimeOffset now, TimeSpan window) =>
        new(now.UtcTicks - now.UtcTicks % window.Ticks, TimeSpan.Zero);

    /// <summary>How long a caller refused now should wait, as Retry-After gives it: whole seconds, at least one.</summary>
    public static int RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
}
