using Microsoft.Extensions.DependencyInjection;

namespace Chas.Agent.Stats;

internal static class StatsServiceCollectionExtensions
{
    /// <summary>The sampler (also a hosted service, so it runs) and the agent's metrics registry.</summary>
    public static IServiceCollection AddAgentStats(this IServiceCollection services)
    {
        services.AddSingleton<AgentMetrics>();
        services.AddSingleton<StatsCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<StatsCollector>());
        return services;
    }
}
