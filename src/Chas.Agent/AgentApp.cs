using Chas.Client;
using Chas.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Chas.Agent;

/// <summary>Builds `chas agent`: the agent loop plus its API, in one web host.</summary>
public static class AgentApp
{
    /// <param name="addRuntime">Registers the <see cref="IContainerRuntime"/> (Docker in production, a fake in unit tests).</param>
    public static WebApplication Build(AgentOptions options, Action<IServiceCollection> addRuntime, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "chas-agent" });
        var listen = options.Address.Contains(':', StringComparison.Ordinal) ? $"[{options.Address}]" : options.Address;
        builder.WebHost.UseUrls($"http://{listen}:{options.ApiPort}");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddChasAgent(options);
        addRuntime(builder.Services);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseWebSockets();
        app.MapAgentApi(app.Services.GetRequiredService<NodeCredentialHolder>());
        return app;
    }

    public static IServiceCollection AddChasAgent(this IServiceCollection services, AgentOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<NodeCredentialHolder>();
        services.AddSingleton(sp => new ChasClient(options.AllServers, options.Token, ChasClientTls.HandlerFor(options.CertificateAuthorityPem),
            logger: sp.GetRequiredService<ILoggerFactory>().CreateLogger("Chas.Agent.ServerFailover")));
        services.AddSingleton(sp => new StatusReporter(sp.GetRequiredService<ChasClient>(), options.NodeName,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Chas.Agent.StatusReporter"), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TaskSupervisor(sp.GetRequiredService<IContainerRuntime>(), sp.GetRequiredService<StatusReporter>(),
            options, sp.GetRequiredService<NodeCredentialHolder>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Chas.Agent.TaskSupervisor")));
        services.AddHostedService<AgentHost>();
        Stats.StatsServiceCollectionExtensions.AddAgentStats(services);
        return services;
    }
}
