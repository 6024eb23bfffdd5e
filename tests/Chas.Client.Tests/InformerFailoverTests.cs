using Chas.Client.Failover;
using Chas.Client.Informers;
using Chas.Contracts;
using Chas.Testing.InProcess;

namespace Chas.Client.Tests;

/// <summary>
/// An informer over a client of two real servers that share one store (two servers on one database): when the
/// server it watches dies, its watch breaks and it follows the other server with nothing missed.
/// </summary>
public sealed class InformerFailoverTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_task_informer_follows_the_second_server_when_the_first_dies()
    {
        await using var group = await TestServerGroup.StartAsync(2);
        var (first, second) = (group.Servers[0], group.Servers[1]);
        var failover = new ServerFailoverOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(50) };
        using var client = new ChasClient(group.Endpoints, group.AdminToken, failover: failover);
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
}
