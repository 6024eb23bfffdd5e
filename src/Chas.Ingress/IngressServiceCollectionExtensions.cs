using Chas.Client;
using Chas.Ingress.Health;
using Chas.Ingress.Http;
using Chas.Ingress.LoadBalancing;
using Chas.Ingress.Metrics;
using Chas.Ingress.Routing;
using Chas.Ingress.Watch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Chas.Ingress;

public static class IngressServiceCollectionExtensions
{
    /// <summary>
    /// The ingress: the watch of the server, the route table it feeds into YARP, our load-balancing
    /// and passive-health policies, and metrics. Defaults use TryAdd so a host or a test swaps parts
    /// (a <see cref="TimeProvider"/>, a <see cref="ChasClient"/>) with one registration made first.
    /// </summary>
    public static IServiceCollection AddChasIngress(this IServiceCollection services, IngressOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ChasClient(options.AllServers, options.Token, ChasClientTls.HandlerFor(options.CertificateAuthorityPem),
            logger: sp.GetService<ILoggerFactory>()?.CreateLogger("Chas.Ingress.ServerFailover")));
        services.TryAddSingleton<ClusterInformers>();
        services.TryAddSingleton<IngressConfigProvider>();
        services.TryAddSingleton<IngressMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterInformers>());
        services.AddHostedService<RouteTablePublisher>();
        services.AddTrafficReporting();

        services.AddReverseProxy()
            .ConfigureHttpClient((_, handler) =>
            {
                handler.ConnectTimeout = TimeSpan.FromSeconds(5);
                // Gateway routes reach the API server, whose certificate may come from its own CA.
                if (options.CertificateAuthorityPem is { } ca) handler.SslOptions.RemoteCertificateValidationCallback = ChasClientTls.ValidatorFor(ca, alsoSystemTrust: true);
            })
            .AddTransforms(RawTargetForwarding.Apply);
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<IngressConfigProvider>());
        services.AddIngressPolicies();

        if (options.RateLimitPerMinute > 0) services.AddClientRateLimiting(options.RateLimitPerMinute);
        return services;
    }

    /// <summary>The policies YARP does not ship: `ip-hash`, `weighted`, and consecutive-failure passive health.</summary>
    public static IServiceCollection AddIngressPolicies(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, IpHashLoadBalancingPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, WeightedLoadBalancingPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPassiveHealthCheckPolicy, ConsecutiveFailuresHealthPolicy>());
        return services;
    }
}
