using Chas.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Store.Tests.Sqlite;

public sealed class SqliteStoreServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddSqliteStore_registers_a_singleton_that_opens_the_database_on_first_resolve()
    {
        var directory = Path.Combine(Path.GetTempPath(), "chas-store-tests", Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection().AddSqliteStore(Path.Combine(directory, "chas.db"));

        var descriptor = Assert.Single(services, service => service.ServiceType == typeof(IObjectStore));
        Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);
        Assert.False(Directory.Exists(directory));

        var store = (IObjectStore)descriptor.ImplementationFactory!(new NoServices());
        try
        {
            Assert.Equal(1, await store.CommitAsync([WriteOp.Create("node", "n1", "{}")]));
        }
        finally
        {
            await store.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void AddSqliteStore_keeps_a_store_registered_earlier()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IObjectStore>(_ => throw new InvalidOperationException("the fake"));

        services.AddSqliteStore("unused.db");

        Assert.Single(services, service => service.ServiceType == typeof(IObjectStore));
    }

    // No logger factory registered: the store must do without one.
    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
