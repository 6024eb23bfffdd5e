using System.Net;
using System.Net.Http.Headers;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>The server's /metrics (Prometheus text, checked by promtool) and the stats endpoints' answers when agents cannot help.</summary>
public sealed class MetricsAndStatsTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Metrics_need_a_token_and_pass_promtool_with_every_family()
    {
        await _server.AddReadyNodeAsync("n1");
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "job", Image = "busybox", CpuMillis = 500 });
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "huge", Image = "busybox", CpuMillis = 64_000 });
        await Eventually.WaitAsync(() => _server.Admin.GetTaskAsync("job"), t => t.Status == TaskPhase.Scheduled, "job scheduled");

        using (var anonymous = await _server.Http.GetAsync("metrics"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var text = await ScrapeAsync();

        await Promtool.AssertValidAsync(text);
        Assert.Contains("chas_http_request_duration_seconds_count{route=\"/api/v1/tasks/{name}\",method=\"GET\",status=\"2xx\"}", text, StringComparison.Ordinal);
        Assert.Contains("chas_scheduler_pass_duration_seconds_count", text, StringComparison.Ordinal);
        Assert.Contains("chas_scheduler_binding_latency_seconds_count 1", text, StringComparison.Ordinal);
        Assert.Contains("chas_scheduler_queue_depth 1", text, StringComparison.Ordinal);
        Assert.Contains("chas_tasks{status=\"scheduled\",kind=\"task\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("chas_tasks{status=\"pending\",kind=\"task\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("chas_node_cpu_cores{node=\"n1\",type=\"allocatable\"} 4", text, StringComparison.Ordinal);
        Assert.Contains("chas_node_cpu_cores{node=\"n1\",type=\"allocated\"} 0.5", text, StringComparison.Ordinal);
        Assert.Contains("chas_node_ready{node=\"n1\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("chas_node_heartbeat_age_seconds{node=\"n1\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_does_not_answer_is_reported_unreachable_not_as_a_failure()
    {
        await _server.AddReadyNodeAsync("n1"); // its agent URL is a closed port

        var all = await _server.Admin.ListNodeStatsAsync();
        var one = await _server.Admin.GetNodeStatsAsync("n1");

        var n1 = Assert.Single(all);
        Assert.Equal(("node", "n1"), (n1.Kind, n1.Name));
        Assert.Contains("unreachable", n1.Error, StringComparison.Ordinal);
        Assert.Empty(n1.Samples);
        Assert.Contains("unreachable", one.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_of_tasks_without_a_container_or_with_a_bad_since_are_refused_with_problems()
    {
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "waiting", Image = "busybox" });

        var conflict = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.GetTaskStatsAsync("waiting"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        var missing = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.GetTaskStatsAsync("nope"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/tasks/waiting/stats?since=yesterday");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _server.Secrets.AdminToken);
        using var badSince = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, badSince.StatusCode);
        Assert.Contains("since", await badSince.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await _server.Admin.ListTaskStatsAsync()); // nothing runs
    }

    private async Task<string> ScrapeAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _server.Secrets.AdminToken);
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
