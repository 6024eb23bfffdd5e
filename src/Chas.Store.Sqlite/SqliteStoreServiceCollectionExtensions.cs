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
    /// resolve. TryAdd, so that a store registered earlier (a test's in-memory fake) wins.
    /// </summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath);

        // Blocking here is harmless: Microsoft.Data.Sqlite completes its async calls synchronously.
        services.TryAddSingleton<IObjectStore>(provider => SqliteObjectStore.OpenAsync(
                options, provider.GetService<ILoggerFactory>()?.CreateLogger<SqliteObjectStore>())
            .GetAwaiter().GetResult());
        return services;
    }
}
