using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>Bad input gets a problem document naming the field, and nothing is written.</summary>
public sealed class ApiInputTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, string? ContentType, JsonElement Body)> PostTaskAsync(string json, string? token = "admin", string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/tasks") { Content = new StringContent(json, Encoding.UTF8, contentType) };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token == "admin" ? _server.Secrets.AdminToken : token);
        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    [Theory]
    [InlineData("{\"name\":\"a\",", "body")]
    [InlineData("{\"name\":\"a\",\"image\":\"x\",\"cpuMillis\":\"lots\"}", "cpuMillis")]
    [InlineData("{\"name\":\"a\",\"image\":\"x\",\"imgae\":\"y\"}", "imgae")]
    [InlineData("{\"name\":\"Bad_Name\",\"image\":\"x\"}", "name")]
    [InlineData("{\"name\":\"a\",\"image\":\"\"}", "image")]
    [InlineData("{\"name\":\"a\",\"image\":\"x\",\"memoryBytes\":-1}", "memoryBytes")]
    [InlineData("{\"name\":\"a\",\"image\":\"x\",\"cpuMillis\":99999999999}", "cpuMillis")]
    [InlineData("{\"name\":\"a\",\"image\":\"x\",\"ports\":[{\"containerPort\":0}]}", "ports[0].containerPort")]
    [InlineData("{\"name\":\"a\",\"image\":\"x\",\"command\":\"echo hi\"}", "command")]
    [InlineData("null", "body")]
    [InlineData("[]", "body")]
    public async Task Bad_bodies_are_400_problems_naming_the_field(string json, string field)
    {
        var (status, contentType, body) = await PostTaskAsync(json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(400, body.GetProperty("status").GetInt32());
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {body}");
        Assert.Empty((await _server.Admin.ListTasksAsync()).Items);
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        var (status, _, _) = await PostTaskAsync("name=a", contentType: "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
    }

    [Fact]
    public async Task Oversized_bodies_are_refused_without_a_500()
    {
        var huge = "{\"name\":\"a\",\"image\":\"x\",\"env\":{\"A\":\"" + new string('x', 2 << 20) + "\"}}";
        var (status, _, _) = await PostTaskAsync(huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Empty((await _server.Admin.ListTasksAsync()).Items);
    }

    [Fact]
    public async Task A_duplicate_name_is_409_and_the_first_task_is_unchanged()
    {
        var first = await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "dup", Image = "one" });
        var ex = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "dup", Image = "two" }));
        Assert.Equal(HttpStatusCode.Conflict, ex.Status);
        Assert.Equal(first.Uid, (await _server.Admin.GetTaskAsync("dup")).Uid);
        Assert.Equal("one", (await _server.Admin.GetTaskAsync("dup")).Image);
    }

    [Fact]
    public async Task Unknown_objects_are_404_problems()
    {
        var ex = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.GetTaskAsync("nope"));
        Assert.Equal(HttpStatusCode.NotFound, ex.Status);
        Assert.Equal("no such task 'nope'", ex.Message);
        ex = await Assert.ThrowsAsync<ChasApiException>(() => _server.Admin.GetNodeAsync("nope"));
        Assert.Equal(HttpStatusCode.NotFound, ex.Status);
        using var response = await _server.Http.GetAsync("api/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Requests_without_a_valid_token_are_401_and_agents_cannot_create_tasks()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostTaskAsync("{\"name\":\"a\",\"image\":\"x\"}", token: null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostTaskAsync("{\"name\":\"a\",\"image\":\"x\"}", token: "guess")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostTaskAsync("{\"name\":\"a\",\"image\":\"x\"}", token: _server.Secrets.NodeToken)).Status);
        Assert.Empty((await _server.Admin.ListTasksAsync()).Items);
    }

    [Fact]
    public async Task Watch_rejects_an_unknown_kind_and_a_negative_revision()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/watch?kind=pods");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _server.Secrets.AdminToken);
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"kind\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var negative = new HttpRequestMessage(HttpMethod.Get, "api/v1/watch?kind=tasks&since=-4");
        negative.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _server.Secrets.AdminToken);
        using var negativeResponse = await _server.Http.SendAsync(negative);
        Assert.Equal(HttpStatusCode.BadRequest, negativeResponse.StatusCode);
    }

    [Fact]
    public async Task Health_and_docs_are_public()
    {
        Assert.Equal("ok", await _server.Http.GetStringAsync("healthz"));
        Assert.Equal("ok", await _server.Http.GetStringAsync("readyz"));
        var openApi = await _server.Http.GetStringAsync("openapi/v1.json");
        using var doc = JsonDocument.Parse(openApi);
        Assert.True(doc.RootElement.GetProperty("paths").TryGetProperty("/api/v1/tasks", out _));
        using var docs = await _server.Http.GetAsync("docs/");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("CHaS API", await docs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_are_written_with_mode_0600()
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var file in new[] { "admin-token", "node-token" })
        {
            var mode = File.GetUnixFileMode(Path.Combine(_server.DataDir, file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        }
        await Task.CompletedTask;
    }
}
