using System.Globalization;
using System.Threading.RateLimiting;
using Chas.Server.Hosting;
using Chas.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chas.Server.Auth;

/// <summary>
/// Per-user (or, unauthenticated, per-client-IP) limits on the whole API: 429 with Retry-After past the
/// limit. Counted in <see cref="ISharedCounters"/>, so the limit holds across every server on one database
/// (see <see cref="SharedWindowApiLimiter"/>). Node agents (their credentials and the join token, which can do
/// nothing but buy a credential) and the built-in admin token are exempt: they are the cluster itself
/// (heartbeats from thousands of nodes, thousands of agents joining at once when a cluster boots, the
/// ingress's watches), not people.
/// </summary>
public static class ApiRateLimiting
{
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services, ServerOptions options)
    {
        // A single server's default; a store shared by several servers registers counters in its database.
        services.TryAddSingleton<ISharedCounters>(sp => new InMemorySharedCounters(sp.GetRequiredService<TimeProvider>()));
        services.AddRateLimiter(o => o.OnRejected = async (context, ct) =>
        {
            var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? FixedWindow.RetryAfterSeconds(wait) : 1;
            context.HttpContext.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
                detail: $"rate limit of {options.ApiRequestsPerSecond} requests per second exceeded; retry in {retry} s").ExecuteAsync(context.HttpContext);
        });
        services.AddOptions<RateLimiterOptions>().Configure<ISharedCounters, TimeProvider>((o, counters, time) =>
            o.GlobalLimiter = new SharedWindowApiLimiter(options.ApiRequestsPerSecond, counters, time));
        return services;
    }

    /// <summary>Who a request is counted as, or null when it is exempt.</summary>
    internal static string? LimitedAs(HttpContext context, int requestsPerSecond)
    {
        var caller = Caller.From(context.User);
        if (requestsPerSecond <= 0 || caller is { Kind: CallerKind.Node or CallerKind.Join } || caller is { Name: Caller.BuiltInAdmin, IsAdmin: true })
            return null;
        return caller is not null ? "api:user:" + caller.Name : "api:ip:" + context.Connection.RemoteIpAddress;
    }
}

/// <summary>
/// Two-second windows of twice the per-second rate, counted in <see cref="ISharedCounters"/> with one add a
/// request: a burst of twice the rate passes, the rate holds over time. The counters answer asynchronously, so
/// <see cref="AttemptAcquireCore"/> admits only the exempt and leaves every other request undecided; the
/// rate-limiting middleware then asks <see cref="AcquireAsyncCore"/>, which counts.
/// </summary>
internal sealed class SharedWindowApiLimiter(int requestsPerSecond, ISharedCounters counters, TimeProvider time) : PartitionedRateLimiter<HttpContext>
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        ApiRateLimiting.LimitedAs(resource, requestsPerSecond) is null ? WindowLease.Granted : WindowLease.Undecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
    {
        if (ApiRateLimiting.LimitedAs(resource, requestsPerSecond) is not { } key) return WindowLease.Granted;
        var now = time.GetUtcNow();
        var start = FixedWindow.StartOf(now, Window);
        var total = await counters.AddAsync(key, start, Window, permitCount, cancellationToken);
        return total <= (long)requestsPerSecond * 2 ? WindowLease.Granted : new WindowLease(false, start + Window - now);
    }

    private sealed class WindowLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly WindowLease Granted = new(true, null);
        public static readonly WindowLease Undecided = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
