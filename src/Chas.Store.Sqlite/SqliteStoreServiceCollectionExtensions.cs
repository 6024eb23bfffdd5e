using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Chas.Store.Sqlite;

public static class SqliteStoreServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="SqliteObjectStore"/> on <paramref name="databasePath"/> as the <see cref="IObjectStore"/>.</summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, string databasePath) =>
        services.AddSqliteStore(new SqliteStoreOptions { DatabasePath = databasePath });

    /// <summary>
    /// Registers a <see cref="SqliteObjectStore"/> as the <see cref="IObjectStore"/> singleton, opened on first
    /// resolve, and the same instance as the <see cref="ILeaseStore"/>; <see cref="InMemorySharedCounters"/> as the
    /// <see cref="ISharedCounters"/> (one process owns the file). TryAdd, so that a store registered earlier (a
    /// test's in-memory fake) wins. Options left on the system clock take the container's <see cref="TimeProvider"/>
    /// when one is registered, so that a test's fake clock also judges lease expiry.
    /// </summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath);

        if (services.Any(service => service.ServiceType == typeof(IObjectStore))) return services;
        // Blocking here is harmless: Microsoft.Data.Sqlite completes its async calls synchronously.
        services.TryAddSingleton<IObjectStore>(provider => SqliteObjectStore.OpenAsync(
                WithContainerClock(options, provider), provider.GetService<ILoggerFactory>()?.CreateLogger<SqliteObjectStore>())
            .GetAwaiter().GetResult());
        // The same instance: leases and fenced commits share its writer lock and file. Null (no lease store) when a
        // later registration replaced the object store with one that keeps no leases (a test's fake).
        services.TryAddSingleton<ILeaseStore>(provider => (provider.GetRequiredService<IObjectStore>() as ILeaseStore)!);
        services.TryAddSingleton<ISharedCounters>(provider => new InMemorySharedCounters(provider.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }

    private static SqliteStoreOptions WithContainerClock(SqliteStoreOptions options, IServiceProvider provider) =>
        options.Time == TimeProvider.System && provider.GetService<TimeProvider>() is { } registered
            ? options with { Time = registered }
            : options;
}
