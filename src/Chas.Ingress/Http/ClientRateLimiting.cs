using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Ingress.Http;

/// <summary>
/// At most N requests per minute from one client address (fixed window); beyond that 429 with
/// Retry-After. The ingress's own endpoints (/healthz, /metrics, stats) are not limited.
/// </summary>
internal static class ClientRateLimiting
{
    public static IServiceCollection AddClientRateLimiting(this IServiceCollection services, int perMinute) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(ClientAddress.Of(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
            o.OnRejected = async (rejected, ct) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync(
                    $"chas ingress: more than {perMinute} requests per minute from {ClientAddress.Of(rejected.HttpContext)}; retry in {seconds} s.\n", ct);
            };
        });
}
