using System.Net;
using System.Text.Json;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>
/// Documents written by hand (curl, scripts) rather than by our client: a field left out takes the default the
/// contract declares, and a value that is not what the contract says is refused with its field, before anything
/// is stored. Found by probing a live server: each of these was a 500, a silent wrong default, or a stored record
/// that should not exist.
/// </summary>
public sealed class ApiStrictInputTests : IAsyncLifetime
{
    private AuthTestHost _host = null!;

    public async Task InitializeAsync() => _host = await AuthTestHost.StartAsync();
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        var (status, body, response) = await _host.SendAsync(method, path, _host.Secrets.AdminToken, json);
        response.Dispose();
        return (status, body.Length > 0 ? JsonDocument.Parse(body).RootElement.Clone() : default);
    }

    private static void AssertNamesField(JsonElement problem, string field) =>
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"errors should name '{field}': {problem}");

    [Fact]
    public async Task Fields_left_out_take_the_declared_defaults()
    {
        var (status, body) = await SendAsync(HttpMethod.Put, "api/v1/deployments/web", """
            {"image":"nginx","ports":[{"containerPort":80}],"ingress":{},
             "readiness":{"port":80}}
            """);
        Assert.Equal(HttpStatusCode.Created, status);
        var template = body.GetProperty("template");
        Assert.Equal("tcp", template.GetProperty("ports")[0].GetProperty("protocol").GetString());
        var readiness = template.GetProperty("readiness");
        Assert.Equal("tcp", readiness.GetProperty("type").GetString());
        Assert.Equal(10, readiness.GetProperty("periodSeconds").GetDouble());
        Assert.Equal(1, readiness.GetProperty("timeoutSeconds").GetDouble());
        Assert.Equal(3, readiness.GetProperty("failureThreshold").GetInt32());
        var deployment = await _host.Admin.GetDeploymentAsync("web");
        Assert.Equal(LoadBalancingPolicies.RoundRobin, deployment.Ingress!.LoadBalancing);
        Assert.Empty(deployment.Ingress.Hosts);
        Assert.Equal(100, deployment.Ingress.Weight);
    }

    [Theory]
    [InlineData("""{"image":"nginx","ingress":{"hosts":null}}""", "ingress.hosts")]
    [InlineData("""{"image":"nginx","replicas":"3"}""", "replicas")]
    [InlineData("""{"image":"nginx","ingress":{"paths":["/app/*"]}}""", "ingress.paths[0]")]
    [InlineData("""{"image":"nginx","ingress":{"hosts":["-bad-.example.com"]}}""", "ingress.hosts[0]")]
    [InlineData("""{"image":"nginx","strategy":1}""", "strategy")]
    [InlineData("""{"image":"nginx","mode":"sytem"}""", "mode")]
    [InlineData("""{"image":"nginx","ports":[{"containerPort":80,"protocol":null}]}""", "ports[0].protocol")]
    public async Task Nulls_strings_for_numbers_enum_numbers_and_unroutable_names_are_refused_with_their_field(string json, string field)
    {
        var (status, body) = await SendAsync(HttpMethod.Put, "api/v1/deployments/bad", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertNamesField(body, field);
        Assert.Empty((await _host.Admin.ListDeploymentsAsync()).Items);
    }

    [Fact]
    public async Task An_agent_cannot_report_a_phase_that_does_not_exist()
    {
        await _host.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "t", Image = "busybox" });
        var (status, body) = await SendAsync(HttpMethod.Put, "api/v1/tasks/t/status", """{"status":77}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertNamesField(body, "status");
        Assert.NotEqual(77, (int)(await _host.Admin.GetTaskAsync("t")).Status);
    }

    [Theory]
    [InlineData("""{"agentUrl":"file:///etc/passwd"}""", "agentUrl")]
    [InlineData("""{"gpus":[null]}""", "gpus[0]")]
    [InlineData("""{"reserved":{"cpuMillis":2000,"memoryBytes":0}}""", "reserved")]
    [InlineData("""{"labels":{"zone":null}}""", "labels.zone")]
    public async Task Node_registrations_that_would_break_later_calls_are_refused(string extra, string field)
    {
        var node = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""
            {"name":"n1","address":"127.0.0.1","agentUrl":"http://127.0.0.1:1/","capacity":{"cpuMillis":1000,"memoryBytes":1073741824}}
            """)!;
        foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(extra)!) node[key] = value;
        var (status, body) = await SendAsync(HttpMethod.Post, "api/v1/nodes", JsonSerializer.Serialize(node));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertNamesField(body, field);
        Assert.Empty((await _host.Admin.ListNodesAsync()).Items);
    }

    [Theory]
    [InlineData("api/v1/audit?limit=abc", "limit")]
    [InlineData("api/v1/watch?kind=tasks&since=abc", "since")]
    [InlineData("api/v1/watch?kind=tasks&since=999999", "since")]
    [InlineData("api/v1/tasks?namespace=Bad..NS", "namespace")]
    public async Task Bad_query_values_are_problems_naming_the_parameter(string path, string field)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertNamesField(body, field);
    }

    [Fact]
    public async Task Nothing_is_created_in_a_namespace_that_does_not_exist()
    {
        var (task, _) = await SendAsync(HttpMethod.Post, "api/v1/tasks?namespace=ghost", """{"name":"t","image":"busybox"}""");
        Assert.Equal(HttpStatusCode.NotFound, task);
        var (deployment, _) = await SendAsync(HttpMethod.Put, "api/v1/deployments/d", """{"image":"nginx","namespace":"ghost"}""");
        Assert.Equal(HttpStatusCode.NotFound, deployment);
        Assert.Empty((await _host.Admin.ListTasksAsync()).Items);
        Assert.Empty((await _host.Admin.ListDeploymentsAsync()).Items);

        await _host.Admin.ApplyNamespaceAsync("ghost", new ApplyNamespaceRequest());
        var (created, _) = await SendAsync(HttpMethod.Post, "api/v1/tasks?namespace=ghost", """{"name":"t","image":"busybox"}""");
        Assert.Equal(HttpStatusCode.Created, created);
    }

    [Fact]
    public async Task A_removed_users_empty_namespace_goes_with_them_and_the_name_can_be_given_again()
    {
        await _host.CreateUserAndLoginAsync("dave", Role.User);
        var (refused, _) = await SendAsync(HttpMethod.Delete, "api/v1/namespaces/dave");
        Assert.Equal(HttpStatusCode.Conflict, refused); // still dave's home

        var (removed, _) = await SendAsync(HttpMethod.Delete, "api/v1/users/dave");
        Assert.Equal(HttpStatusCode.NoContent, removed);
        Assert.DoesNotContain(await _host.Admin.ListNamespacesAsync(), n => n.Name == "dave");
        await _host.CreateUserAndLoginAsync("dave", Role.User);
    }

    [Fact]
    public async Task A_namespace_cannot_grant_a_role_to_a_user_who_does_not_exist()
    {
        var (status, body) = await SendAsync(HttpMethod.Put, "api/v1/namespaces/team", """{"members":{"ghost":"admin"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertNamesField(body, "members.ghost");
        Assert.DoesNotContain(await _host.Admin.ListNamespacesAsync(), n => n.Name == "team");
    }

    [Fact]
    public async Task A_user_may_route_only_host_names_under_their_namespaces_part_of_the_domain()
    {
        var alice = await _host.CreateUserAndLoginAsync("alice", Role.User);
        const string Body = """{"image":"nginx","ports":[{"containerPort":80}],"ingress":{"hosts":["HOST"],"paths":["/api"]}}""";

        // The name people reach the API gateway by, or an IP: a tenant's deployment there would take the gateway's /api.
        var (refused, body, r1) = await _host.SendAsync(HttpMethod.Put, "api/v1/deployments/grab", alice.AccessToken, Body.Replace("HOST", "127.0.0.1"));
        r1.Dispose();
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Contains("only admins may route the host '127.0.0.1'", body, StringComparison.Ordinal);

        var (allowed, _, r2) = await _host.SendAsync(HttpMethod.Put, "api/v1/deployments/api", alice.AccessToken, Body.Replace("HOST", "api.alice.localhost"));
        r2.Dispose();
        Assert.Equal(HttpStatusCode.Created, allowed);
        Assert.Equal(["api"], (await _host.Admin.ListDeploymentsAsync()).Items.Select(d => d.Name));
    }

    [Fact]
    public async Task Revoking_someone_who_is_no_member_is_a_404_not_a_success()
    {
        await _host.CreateUserAndLoginAsync("bob", Role.User);
        await _host.Admin.ApplyNamespaceAsync("team", new ApplyNamespaceRequest());
        await _host.Admin.GrantAsync("team", "bob", Role.User);

        var (notMember, _) = await SendAsync(HttpMethod.Delete, "api/v1/namespaces/team/members/nobody");
        var (member, body) = await SendAsync(HttpMethod.Delete, "api/v1/namespaces/team/members/bob");

        Assert.Equal(HttpStatusCode.NotFound, notMember);
        Assert.Equal(HttpStatusCode.OK, member);
        Assert.False(body.GetProperty("members").TryGetProperty("bob", out _));
    }
}
