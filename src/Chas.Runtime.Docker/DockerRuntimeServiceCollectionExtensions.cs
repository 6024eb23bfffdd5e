using Chas.Runtime;
using Chas.Runtime.Docker;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class DockerRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DockerContainerRuntime"/> as the node's <see cref="IContainerRuntime"/>, unless another
    /// runtime was registered first. The concrete type is registered too, for Docker-only verbs such as image import.
    /// </summary>
    public static IServiceCollection AddDockerRuntime(this IServiceCollection services, Action<DockerRuntimeOptions>? configure = null)
    {
        var options = services.AddOptions<DockerRuntimeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<DockerContainerRuntime>();
        services.TryAddSingleton<IContainerRuntime>(provider => provider.GetRequiredService<DockerContainerRuntime>());
        return services;
    }
}
