using System.Threading.RateLimiting;
using Chas.Server.Hosting;

namespace Chas.Server.Auth;

/// <summary>
/// Sign-in attempts per minute, counted per client IP and per user name: a guesser gets 429s long
/// before a password falls, whether they vary the name or the address.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public SignInThrottle(ServerOptions options)
    {
        var permits = Math.Max(1, options.SignInAttemptsPerMinute);
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    /// <summary>Null when the attempt may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAttempt(string? clientIp, string? userName)
    {
        foreach (var key in new[] { "ip:" + (clientIp ?? "unknown"), "user:" + (userName ?? "").ToLowerInvariant() })
        {
            using var lease = _limiter.AttemptAcquire(key);
            if (!lease.IsAcquired)
                return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
        }
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
