using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Chas.Contracts;
using Chas.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Chas.Server.Tests.Leadership;

/// <summary>A whole server that follows (another server holds the lease): its API works, its controllers wait for a term.</summary>
public sealed class LeaderOnlyControllersTests
{
    [Fact]
    public async Task A_follower_serves_the_API_but_schedules_nothing_until_it_leads()
    {
        HeldElsewhereLeases? leases = null;
        await using var server = await TestServer.StartAsync(services: s => s.AddSingleton<ILeaseStore>(sp =>
            leases = new HeldElsewhereLeases((ILeaseStore)sp.GetRequiredService<IObjectStore>())));

        await server.AddReadyNodeAsync("n1");
        await server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "job", Image = "busybox", CpuMillis = 500 });
        var following = await LeadershipAsync(server);
        var metrics = await GetAsync(server, "metrics");

        Assert.False(following.IsLeader);
        Assert.Equal(HeldElsewhereLeases.OtherServer, following.Leader);
        Assert.Null(following.Term);
        Assert.Contains("\nchas_leader 0", metrics, StringComparison.Ordinal);
        Assert.Equal(TaskPhase.Pending, (await server.Admin.GetTaskAsync("job")).Status);

        leases!.HeldElsewhere = false;

        var scheduled = await Eventually.WaitAsync(() => server.Admin.GetTaskAsync("job"), t => t.Status == TaskPhase.Scheduled,
            "the task to be scheduled once the server leads");
        Assert.Equal("n1", scheduled.Node);
        var leading = await LeadershipAsync(server);
        Assert.True(leading.IsLeader);
        Assert.Equal(leading.ServerId, leading.Leader);
        Assert.True(leading.Term > 0, $"term {leading.Term}");
        Assert.Contains("\nchas_leader 1", await GetAsync(server, "metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_server_on_SQLite_leads_as_soon_as_it_has_started()
    {
        await using var server = await TestServer.StartAsync();

        var status = await LeadershipAsync(server);

        Assert.True(status.IsLeader);
        Assert.Equal(status.ServerId, status.Leader);
        Assert.Contains(Environment.MachineName, status.ServerId, StringComparison.Ordinal);
    }

    private static async Task<LeadershipStatus> LeadershipAsync(TestServer server) =>
        JsonSerializer.Deserialize(await GetAsync(server, "api/v1/leadership"), ChasJsonContext.Default.LeadershipStatus)!;

    private static async Task<string> GetAsync(TestServer server, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.Secrets.AdminToken);
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
