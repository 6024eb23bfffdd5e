using Chas.Server.Hosting;
using Chas.Store;

namespace Chas.Server.Auth;

/// <summary>
/// Sign-in attempts per minute, counted per client IP and per user name: a guesser gets 429s long
/// before a password falls, whether they vary the name or the address. Counted in
/// <see cref="ISharedCounters"/>, so the limit holds across every server on one database. One-minute
/// windows, the previous one weighed in by how much of it still lies within the last minute: a burst
/// across a window's edge is refused as it would be within one window.
/// </summary>
public sealed class SignInThrottle(ServerOptions options, ISharedCounters counters, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Null when the attempt may go ahead, else how long to wait.</summary>
    public async Task<TimeSpan?> TryAttemptAsync(string? clientIp, string? userName, CancellationToken cancellationToken = default)
    {
        var permits = Math.Max(1, options.SignInAttemptsPerMinute);
        var now = time.GetUtcNow();
        var start = FixedWindow.StartOf(now, Window);
        foreach (var key in new[] { "sign-in:ip:" + (clientIp ?? "unknown"), "sign-in:user:" + (userName ?? "").ToLowerInvariant() })
        {
            var current = await counters.AddAsync(key, start, Window, 1, cancellationToken);
            if (current > permits) return start + Window - now;
            // Adding nothing reads the previous window's total.
            var previous = await counters.AddAsync(key, start - Window, Window, 0, cancellationToken);
            var stillCounted = 1 - (now - start) / Window;
            if (current + previous * stillCounted > permits)
            {
                // The previous window's weight falls to what the permits leave over.
                var countedAtMost = (double)(permits - current) / previous;
                return (stillCounted - countedAtMost) * Window;
            }
        }
        return null;
    }
}
