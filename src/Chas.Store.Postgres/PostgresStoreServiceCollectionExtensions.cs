using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Chas.Store.Postgres;

public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="PostgresObjectStore"/>, opened on first resolve, as the <see cref="IObjectStore"/>,
    /// the <see cref="ILeaseStore"/> and the <see cref="ISharedCounters"/> singletons. TryAdd, so that a store
    /// registered earlier (a test's in-memory fake) wins.
    /// </summary>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services, PostgresStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);

        // Blocking once, at the first resolve during start-up: there is no async factory to hand the container.
        services.TryAddSingleton(provider => PostgresObjectStore.OpenAsync(
                options, provider.GetService<ILoggerFactory>()?.CreateLogger<PostgresObjectStore>())
            .GetAwaiter().GetResult());
        services.TryAddSingleton<IObjectStore>(provider => provider.GetRequiredService<PostgresObjectStore>());
        services.TryAddSingleton<ILeaseStore>(provider => provider.GetRequiredService<PostgresObjectStore>());
        services.TryAddSingleton<ISharedCounters>(provider => provider.GetRequiredService<PostgresObjectStore>());
        return services;
    }
}
