using System.Globalization;
using System.Threading.RateLimiting;
using Chas.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Server.Auth;

/// <summary>
/// Per-user (or, unauthenticated, per-client-IP) token buckets on the whole API: 429 with
/// Retry-After past the limit. Node agents (their credentials and the join token, which can do nothing
/// but buy a credential) and the built-in admin token are exempt: they are the cluster itself (heartbeats
/// from thousands of nodes, thousands of agents joining at once when a cluster boots, the ingress's
/// watches), not people.
/// </summary>
public static class ApiRateLimiting
{
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services, ServerOptions options)
    {
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var caller = Caller.From(context.User);
                if (options.ApiRequestsPerSecond <= 0 || caller is { Kind: CallerKind.Node or CallerKind.Join } || caller is { Name: Caller.BuiltInAdmin, IsAdmin: true })
                    return RateLimitPartition.GetNoLimiter("exempt");
                var key = caller is not null ? "user:" + caller.Name : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.ApiRequestsPerSecond * 2,
                    TokensPerPeriod = options.ApiRequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                });
            });
            o.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
                    detail: $"rate limit of {options.ApiRequestsPerSecond} requests per second exceeded; retry in {retry} s").ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}
