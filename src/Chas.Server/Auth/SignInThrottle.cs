using Chas.Server.Hosting;
using Chas.Store;

namespace Chas.Server.Auth;

/// <summary>
/// Sign-in attempts per minute, counted per client IP and per user name: a guesser gets 429s long
/// before a password falls, whether they vary the name or the address. Counted in
/// <see cref="ISharedCounters"/>, so the limit holds across every server on one database.
/// </summary>
/// <remarks>
/// Each attempt counts in two one-minute windows, one starting on the minute and one on the half minute, and is
/// refused when either is past the limit: attempts within any half minute all fall into one window, so a burst
/// across one window's edge is refused as within a window. Both windows are current, so neither may have been
/// forgotten by the counters.
/// </remarks>
public sealed class SignInThrottle(ServerOptions options, ISharedCounters counters, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan HalfWindow = Window / 2;

    /// <summary>Null when the attempt may go ahead, else how long to wait.</summary>
    public async Task<TimeSpan?> TryAttemptAsync(string? clientIp, string? userName, CancellationToken cancellationToken = default)
    {
        var permits = Math.Max(1, options.SignInAttemptsPerMinute);
        var now = time.GetUtcNow();
        var onTheMinute = FixedWindow.StartOf(now, Window);
        var onTheHalf = FixedWindow.StartOf(now - HalfWindow, Window) + HalfWindow;
        foreach (var key in new[] { "sign-in:ip:" + (clientIp ?? "unknown"), "sign-in:user:" + (userName ?? "").ToLowerInvariant() })
        {
            var counted = await Task.WhenAll(
                counters.AddAsync(key, onTheMinute, Window, 1, cancellationToken),
                counters.AddAsync(key + "@half", onTheHalf, Window, 1, cancellationToken));
            TimeSpan? wait = null;
            if (counted[0] > permits) wait = onTheMinute + Window - now;
            if (counted[1] > permits && (wait is null || onTheHalf + Window - now > wait)) wait = onTheHalf + Window - now;
            if (wait is not null) return wait;
        }
        return null;
    }
}
