using System.Net;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>The API's per-caller token buckets: people are limited, the cluster's own agents are not.</summary>
public sealed class ApiRateLimitTests
{
    private const int Burst = 20;

    [Fact]
    public async Task A_user_past_the_limit_gets_429_with_Retry_After_and_a_problem()
    {
        // One request per second (a bucket of two): twenty at once cannot all pass, however slow the machine.
        await using var host = await AuthTestHost.StartAsync(o => o with { ApiRequestsPerSecond = 1 });
        var login = await host.CreateUserAndLoginAsync("alice", Role.User);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < Burst; i++)
        {
            var (status, body, response) = await host.SendAsync(HttpMethod.Get, "api/v1/tasks", login.AccessToken);
            statuses.Add(status);
            if (status == HttpStatusCode.TooManyRequests && refused is null)
            {
                refused = response;
                Assert.Contains("rate limit of 1 requests per second", body, StringComparison.Ordinal);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
            else response.Dispose();
        }
        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.NotNull(refused);
        Assert.True(refused!.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        refused.Dispose();
    }

    [Fact]
    public async Task Agents_joining_with_the_join_token_and_reporting_with_their_credentials_are_not_limited()
    {
        // A cluster booting: many agents trade the one join token for their credentials at once, then heartbeat.
        await using var host = await AuthTestHost.StartAsync(o => o with { ApiRequestsPerSecond = 1 });
        using var joiner = host.Client(host.Secrets.NodeToken);
        for (var i = 0; i < Burst; i++)
        {
            var node = $"boot-{i:D2}";
            var joined = await joiner.JoinNodeAsync(node);
            Assert.Equal(node, joined.Node);
            using var agent = host.Client(joined.Credential);
            await agent.RegisterNodeAsync(new RegisterNodeRequest
            {
                Name = node, Address = "127.0.0.1", AgentUrl = "http://127.0.0.1:9/",
                Capacity = new ResourceAmounts { CpuMillis = 1000, MemoryBytes = 1L << 30 }, PortRange = new PortRange(20000, 20009),
            });
            var beat = await agent.HeartbeatAsync(node, new HeartbeatRequest());
            Assert.Equal(NodeStatus.Ready, beat.Status);
        }
        Assert.Equal(Burst, (await host.Admin.ListNodesAsync()).Items.Count);
    }
}
