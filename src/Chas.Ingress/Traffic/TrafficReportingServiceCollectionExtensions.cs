using Microsoft.Extensions.DependencyInjection;
using Chas.Ingress.Traffic;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In the ingress's namespace so that AddChasIngress needs only the one call.
namespace Chas.Ingress;

public static class TrafficReportingServiceCollectionExtensions
{
    /// <summary>Per-route traffic reported to the server every few seconds (`GET /api/v1/traffic` there).</summary>
    public static IServiceCollection AddTrafficReporting(this IServiceCollection services)
    {
        services.TryAddSingleton<BackendRequestCounter>();
        services.TryAddSingleton<TrafficSnapshot>();
        services.AddHostedService<TrafficReporter>();
        return services;
    }
}
