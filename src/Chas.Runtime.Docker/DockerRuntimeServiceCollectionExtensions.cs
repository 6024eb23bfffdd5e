using Chas.Runtime;
using Chas.Runtime.Docker;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class DockerRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DockerContainerRuntime"/> as the node's <see cref="IContainerRuntime"/>, unless another
    /// runtime was registered first, and as the node's <see cref="IImageImporter"/> (`chas image import`). The concrete
    /// type is registered too, for tests that need the engine itself.
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
        services.TryAddSingleton<IImageImporter>(provider => provider.GetRequiredService<DockerContainerRuntime>());
        return services;
    }
}
