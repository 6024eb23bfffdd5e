using Chas.Client.Failover;
using Chas.Client.Informers;
using Chas.Contracts;
using Chas.Store;
using Chas.Store.Sqlite;
using Chas.Testing.InProcess;
using Chas.Testing.TempData;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Client.Tests;

/// <summary>
/// An informer over a client of two real servers that share one store (two servers on one database): when the
/// server it watches stops, its watch breaks and it follows the other server with nothing missed.
/// </summary>
public sealed class InformerFailoverTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_task_informer_follows_the_second_server_when_the_first_stops()
    {
        // The database lies outside the servers' data directory, which the first server deletes when it stops.
        var databaseDir = TempDirectory.NewPath("chas-failover-db-");
        Directory.CreateDirectory(databaseDir);
        var dataDir = TempDirectory.NewPath("chas-failover-");
        await using var store = await SqliteObjectStore.OpenAsync(new SqliteStoreOptions { DatabasePath = Path.Combine(databaseDir, "shared.db") });
        void Shared(IServiceCollection services) => services.AddSingleton<IObjectStore>(store);
        // One data directory: both servers hold the same secrets, so one token is good on either.
        await using var first = await TestServer.StartAsync(dataDir: dataDir, services: Shared);
        await using var second = await TestServer.StartAsync(dataDir: dataDir, services: Shared);
        try
        {
            var failover = new ServerFailoverOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(50) };
            using var client = new ChasClient(new ServerEndpoints([first.Url, second.Url]), first.Secrets.AdminToken, failover: failover);
            await using var informer = new Informer<TaskResource>(TaskSource.For(client),
                new InformerOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200) });
            informer.Start();
            await informer.WaitForSyncAsync().WaitAsync(Timeout);

            await first.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "before", Image = "x" });
            await informer.WaitForAsync(t => t.Name == "before", Timeout);
            Assert.Equal(first.Url, client.Server);

            await first.StopAbruptlyAsync();
            await second.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "after", Image = "x" });

            await informer.WaitForAsync(t => t.Name == "after", Timeout);
            Assert.Equal(second.Url, client.Server);
            Assert.Equal(["after", "before"], informer.List().Select(t => t.Name).Order());
        }
        finally
        {
            TempDirectory.TryDelete(databaseDir);
        }
    }
}
