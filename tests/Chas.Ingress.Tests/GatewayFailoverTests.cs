using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Chas.Contracts;
using Chas.Testing.InProcess;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Chas.Ingress.Tests;

/// <summary>
/// The gateway in front of two servers on one store: requests are spread over both, and when one dies the
/// API keeps answering through the ingress (the failed request goes to the other server; health checks then
/// take the dead one out).
/// </summary>
public sealed class GatewayFailoverTests
{
    [Fact]
    public async Task With_one_of_two_servers_killed_the_gateway_keeps_answering_reads_and_writes()
    {
        await using var group = await TestServerGroup.StartAsync(2);
        var options = new IngressOptions
        {
            Server = group.Servers[0].Url,
            OtherServers = [group.Servers[1].Url],
            Token = group.AdminToken,
            ListenAddress = "127.0.0.1",
            Port = 0,
            Gateway = true,
        };
        var ingress = IngressApp.Build(options, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await ingress.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(ingress.Urls.First() + "/"), Timeout = TimeSpan.FromSeconds(10) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", group.AdminToken);
            await Eventually.WaitAsync(() => client.GetAsync("healthz"), r => r.StatusCode == HttpStatusCode.OK, "the ingress's first list");

            for (var i = 0; i < 4; i++)
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/v1/tasks")).StatusCode);

            await group.Servers[0].StopAbruptlyAsync();

            // At once, before any health check noticed: every read and every write still succeeds.
            for (var i = 0; i < 10; i++)
            {
                using var read = await client.GetAsync("api/v1/tasks");
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                using var write = await client.PostAsJsonAsync("api/v1/tasks", new CreateTaskRequest { Name = $"t{i}", Image = "x" }, ChasJsonContext.Default.CreateTaskRequest);
                Assert.True(write.IsSuccessStatusCode, $"create t{i}: {(int)write.StatusCode} {await write.Content.ReadAsStringAsync()}");
            }
            var tasks = await group.Servers[1].Admin.ListTasksAsync();
            Assert.Equal(10, tasks.Items.Count(t => t.Name.StartsWith('t')));

            // The active health check takes the dead server out within about two probes.
            var proxy = ingress.Services.GetRequiredService<IProxyStateLookup>();
            Assert.True(proxy.TryGetCluster(Routing.GatewayRoutes.ClusterId, out var cluster));
            await Eventually.UntilAsync(() => cluster.Destinations["server-1"].Health.Active == DestinationHealth.Unhealthy,
                TimeSpan.FromSeconds(5), "the dead server taken out by the active health check");
            Assert.Equal(DestinationHealth.Healthy, cluster.Destinations["server-2"].Health.Active);
            Assert.Equal("server-2", Assert.Single(cluster.DestinationsState.AvailableDestinations).DestinationId);
        }
        finally
        {
            await ingress.StopAsync();
            await ingress.DisposeAsync();
        }
    }
}
