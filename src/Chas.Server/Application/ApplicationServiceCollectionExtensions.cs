using Chas.Server.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chas.Server.Application;

public static class ApplicationServiceCollectionExtensions
{
    /// <summary>What the API's handlers call beyond the stores: workload admission and the watchable kinds.</summary>
    public static IServiceCollection AddChasApplicationServices(this IServiceCollection services)
    {
        services.TryAddSingleton<WorkloadAdmission>();
        services.TryAddSingleton<WatchableKinds>();
        return services;
    }
}
