using System.Net;
using System.Text.Json;
using Chas.Contracts;

namespace Chas.Server.Tests;

public sealed class NodeCredentialTests
{
    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static object Registration(string name, IReadOnlyDictionary<string, string>? labels = null) => new
    {
        name, address = "127.0.0.1", agentUrl = "http://127.0.0.1:1/",
        capacity = new { cpuMillis = 4000, memoryBytes = 8L << 30 }, portRange = new { from = 20000, to = 20009 },
        labels = labels ?? new Dictionary<string, string>(),
    };

    private static async Task<HttpStatusCode> StatusOf(AuthTestHost host, HttpMethod method, string path, string token, string? body = null)
    {
        var (status, _, response) = await host.SendAsync(method, path, token, body);
        response.Dispose();
        return status;
    }

    [Fact]
    public async Task The_join_token_only_joins()
    {
        await using var host = await AuthTestHost.StartAsync();
        var join = host.Secrets.NodeToken;
        var (status, body, r) = await host.SendAsync(HttpMethod.Post, "api/v1/nodes/n1/join", join);
        r.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        var credential = JsonSerializer.Deserialize(body, ChasJsonContext.Default.NodeCredential)!;
        Assert.Equal("n1", credential.Node);
        Assert.Equal(host.NodeCredential("n1"), credential.Credential);
        // The credential it got works for that node.
        Assert.Equal(HttpStatusCode.OK, await StatusOf(host, HttpMethod.Post, "api/v1/nodes", credential.Credential, Json(Registration("n1"))));
        Assert.Equal(HttpStatusCode.OK, await StatusOf(host, HttpMethod.Post, "api/v1/nodes/n1/heartbeat", credential.Credential, "{}"));

        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Post, "api/v1/nodes/n1/heartbeat", join, "{}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Get, "api/v1/nodes", join));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Post, "api/v1/tasks?namespace=default", join, Json(new { name = "x", image = "busybox" })));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Post, "api/v1/nodes", join, Json(Registration("n9"))));
        Assert.Empty((await host.Admin.ListTasksAsync()).Items);
        Assert.DoesNotContain((await host.Admin.ListNodesAsync()).Items, n => n.Name == "n9");
    }

    [Fact]
    public async Task A_node_credential_acts_only_for_its_own_node()
    {
        await using var host = await AuthTestHost.StartAsync();
        var n1 = host.NodeCredential("n1");
        Assert.Equal(HttpStatusCode.OK, await StatusOf(host, HttpMethod.Post, "api/v1/nodes", n1, Json(Registration("n1"))));
        Assert.Equal(HttpStatusCode.OK, await StatusOf(host, HttpMethod.Post, "api/v1/nodes/n1/heartbeat", n1, "{}"));
        await host.Admin.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = "n2", Address = "127.0.0.1", AgentUrl = "http://127.0.0.1:1/", Labels = new Dictionary<string, string> { ["pool"] = "b" },
            Capacity = new ResourceAmounts { CpuMillis = 4000, MemoryBytes = 8L << 30 }, PortRange = new PortRange(20000, 20009),
        });
        await host.Admin.HeartbeatAsync("n2", new HeartbeatRequest());

        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Post, "api/v1/nodes/n2/heartbeat", n1, "{}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Post, "api/v1/nodes", n1, Json(Registration("n2", new Dictionary<string, string> { ["hijacked"] = "yes" }))));
        Assert.False((await host.Admin.GetNodeAsync("n2")).Labels.ContainsKey("hijacked"));

        await host.Admin.CreateTaskAsync(new CreateTaskRequest
        {
            Name = "on-n2", Namespace = "default", Image = "busybox", NodeSelector = new Dictionary<string, string> { ["pool"] = "b" },
        });
        var bound = await Eventually.WaitAsync(() => host.Admin.GetTaskAsync("on-n2", "default"), t => t.Node == "n2", "the task to be bound to n2");
        var report = Json(new { status = "running", node = "n2", uid = bound.Uid, containerId = "c1" });
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Put, "api/v1/tasks/on-n2/status?namespace=default", n1, report));
        Assert.Equal(bound.Status, (await host.Admin.GetTaskAsync("on-n2", "default")).Status);

        var (own, ownBody, r) = await host.SendAsync(HttpMethod.Get, "api/v1/tasks?node=n1", n1);
        r.Dispose();
        Assert.Equal(HttpStatusCode.OK, own);
        Assert.DoesNotContain("on-n2", ownBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Get, "api/v1/tasks?node=n2", n1));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Get, "api/v1/tasks", n1));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Get, "api/v1/users", n1));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(host, HttpMethod.Post, "api/v1/tasks?namespace=default", n1, Json(new { name = "x", image = "busybox" })));
    }
}
