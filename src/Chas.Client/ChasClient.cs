using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chas.Client.Failover;
using Chas.Contracts;
using Microsoft.Extensions.Logging;

namespace Chas.Client;

/// <summary>
/// Typed access to the CHaS API, used by the CLI, the agent and tests. Every failure the server
/// explains surfaces as <see cref="ChasApiException"/>.
/// </summary>
public sealed partial class ChasClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ServerFailoverHandler? _failover;

    public ChasClient(Uri server, string? token, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _failover = handler as ServerFailoverHandler;
        _ownsHttp = true;
        _http.BaseAddress = server;
        _http.Timeout = Timeout.InfiniteTimeSpan; // watches and log follows are long; callers pass tokens
        if (!string.IsNullOrEmpty(token))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>
    /// A client of every server of a cluster: requests go to one of <paramref name="servers"/> and move to the next
    /// when it is dead or unavailable (<see cref="ServerFailoverHandler"/>). With one server it is the plain client.
    /// </summary>
    public ChasClient(ServerEndpoints servers, string? token, HttpMessageHandler? handler = null,
        ServerFailoverOptions? failover = null, ILogger? logger = null)
        : this(servers.Primary, token, servers.Count == 1 ? handler : ServerFailoverHandler.Create(servers, handler, failover, logger))
    {
        Servers = servers;
    }

    /// <summary>The server requests go to now (it changes as the client moves between <see cref="Servers"/>).</summary>
    public Uri Server => _failover?.Current ?? _http.BaseAddress!;

    /// <summary>Every server this client may use.</summary>
    public ServerEndpoints Servers { get => field ?? new ServerEndpoints([_http.BaseAddress!]); private init; }

    /// <summary>
    /// The namespace of calls about tasks, deployments and services that name none; null lets the
    /// server decide (the caller's home namespace; lists: every namespace the caller can see).
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>Replaces the bearer token sent from now on (after a refresh); null or empty sends none.</summary>
    public void SetToken(string? token) =>
        _http.DefaultRequestHeaders.Authorization = string.IsNullOrEmpty(token) ? null : new AuthenticationHeaderValue("Bearer", token);

    // ---- tasks ----

    public Task<TaskResource> CreateTaskAsync(CreateTaskRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, request.Namespace is null ? WithNamespace("api/v1/tasks", Namespace) : "api/v1/tasks", request, ChasJsonContext.Default.CreateTaskRequest, ChasJsonContext.Default.TaskResource, ct);

    public Task<ResourceList<TaskResource>> ListTasksAsync(string? node = null, CancellationToken ct = default) =>
        GetAsync(node is null ? WithNamespace("api/v1/tasks", Namespace) : $"api/v1/tasks?node={Uri.EscapeDataString(node)}", ChasJsonContext.Default.ResourceListTaskResource, ct);

    public Task<TaskResource> GetTaskAsync(string name, string? ns = null, CancellationToken ct = default) =>
        GetAsync(TaskPath(name, ns), ChasJsonContext.Default.TaskResource, ct);

    public Task<TaskResource> StopTaskAsync(string name, string? ns = null, CancellationToken ct = default) =>
        SendAsync<object?, TaskResource>(HttpMethod.Post, TaskPath(name, ns, "/stop"), null, null, ChasJsonContext.Default.TaskResource, ct);

    public async Task DeleteTaskAsync(string name, bool force, string? ns = null, CancellationToken ct = default)
    {
        var path = TaskPath(name, ns);
        if (force) path = WithQuery(path, "force=true");
        using var response = await _http.DeleteAsync(path, ct);
        await EnsureSuccessAsync(response, ct);
    }

    public Task<TaskResource> ReportTaskStatusAsync(string name, string ns, TaskStatusReport report, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, TaskPath(name, ns, "/status"), report, ChasJsonContext.Default.TaskStatusReport, ChasJsonContext.Default.TaskResource, ct);

    /// <summary>Shorthand for the common flags of <see cref="ReadTaskLogsAsync(string, TaskLogQuery, string?, CancellationToken)"/>.</summary>
    public IAsyncEnumerable<string> ReadTaskLogsAsync(string name, bool follow, int? tail, bool timestamps,
        string? ns = null, CancellationToken ct = default) =>
        ReadTaskLogsAsync(name, new TaskLogQuery { Follow = follow, Tail = tail, Timestamps = timestamps }, ns, ct);

    /// <summary>Log lines as the node's engine returns them; with follow, until the task ends or <paramref name="ct"/> fires.</summary>
    public async IAsyncEnumerable<string> ReadTaskLogsAsync(string name, TaskLogQuery logs,
        string? ns = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var query = $"follow={(logs.Follow ? "true" : "false")}&timestamps={(logs.Timestamps ? "true" : "false")}" + (logs.Tail is { } t ? $"&tail={t}" : "")
            + (logs.Since is { } since ? "&since=" + Uri.EscapeDataString(since.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)) : "")
            + (logs.StderrOnly ? "&stream=stderr" : "");
        var path = WithQuery(TaskPath(name, ns, "/logs"), query);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
            yield return line;
    }

    // ---- nodes ----

    public Task<ResourceList<NodeResource>> ListNodesAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/nodes", ChasJsonContext.Default.ResourceListNodeResource, ct);

    public Task<NodeResource> GetNodeAsync(string name, CancellationToken ct = default) =>
        GetAsync($"api/v1/nodes/{Segment(name)}", ChasJsonContext.Default.NodeResource, ct);

    public Task<NodeResource> RegisterNodeAsync(RegisterNodeRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/nodes", request, ChasJsonContext.Default.RegisterNodeRequest, ChasJsonContext.Default.NodeResource, ct);

    public Task<NodeResource> HeartbeatAsync(string node, HeartbeatRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/nodes/{Segment(node)}/heartbeat", request, ChasJsonContext.Default.HeartbeatRequest, ChasJsonContext.Default.NodeResource, ct);

    public Task<NodeResource> CordonNodeAsync(string name, CancellationToken ct = default) => NodeActionAsync(name, "cordon", ct);
    public Task<NodeResource> UncordonNodeAsync(string name, CancellationToken ct = default) => NodeActionAsync(name, "uncordon", ct);
    public Task<NodeResource> DrainNodeAsync(string name, CancellationToken ct = default) => NodeActionAsync(name, "drain", ct);

    private Task<NodeResource> NodeActionAsync(string name, string action, CancellationToken ct) =>
        SendAsync<object?, NodeResource>(HttpMethod.Post, $"api/v1/nodes/{Segment(name)}/{action}", null, null, ChasJsonContext.Default.NodeResource, ct);

    // ---- services ----

    public Task<IReadOnlyList<ServiceInfo>> ListServicesAsync(CancellationToken ct = default) =>
        GetAsync(WithNamespace("api/v1/services", Namespace), ChasJsonContext.Default.IReadOnlyListServiceInfo, ct);

    // ---- deployments ----

    /// <summary>Creates the deployment, or updates it (a changed template starts a rolling update).</summary>
    public Task<DeploymentResource> ApplyDeploymentAsync(ApplyDeploymentRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, DeploymentPath(request.Name!, request.Namespace), request, ChasJsonContext.Default.ApplyDeploymentRequest, ChasJsonContext.Default.DeploymentResource, ct);

    public Task<ResourceList<DeploymentResource>> ListDeploymentsAsync(CancellationToken ct = default) =>
        GetAsync(WithNamespace("api/v1/deployments", Namespace), ChasJsonContext.Default.ResourceListDeploymentResource, ct);

    public Task<DeploymentResource> GetDeploymentAsync(string name, string? ns = null, CancellationToken ct = default) =>
        GetAsync(DeploymentPath(name, ns), ChasJsonContext.Default.DeploymentResource, ct);

    public Task<DeploymentResource> ScaleDeploymentAsync(string name, int replicas, string? ns = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, DeploymentPath(name, ns, "/scale"), new ScaleRequest { Replicas = replicas }, ChasJsonContext.Default.ScaleRequest, ChasJsonContext.Default.DeploymentResource, ct);

    public Task<DeploymentResource> UndoRolloutAsync(string name, string? ns = null, CancellationToken ct = default) =>
        SendAsync<object?, DeploymentResource>(HttpMethod.Post, DeploymentPath(name, ns, "/rollout/undo"), null, null, ChasJsonContext.Default.DeploymentResource, ct);

    public async Task DeleteDeploymentAsync(string name, string? ns = null, CancellationToken ct = default)
    {
        using var response = await _http.DeleteAsync(DeploymentPath(name, ns), ct);
        await EnsureSuccessAsync(response, ct);
    }

    public IAsyncEnumerable<WatchEvent<DeploymentResource>> WatchDeploymentsAsync(long since, CancellationToken ct = default) =>
        WatchAsync("deployments", since, null, ChasJsonContext.Default.WatchEventDeploymentResource, ct);

    private string DeploymentPath(string name, string? ns, string suffix = "") =>
        WithNamespace($"api/v1/deployments/{Segment(name)}{suffix}", ns ?? Namespace);

    // ---- watch ----

    /// <summary>Task changes after <paramref name="since"/> (optionally only those bound to one node), until cancelled or the server closes the stream.</summary>
    public IAsyncEnumerable<WatchEvent<TaskResource>> WatchTasksAsync(long since, string? node = null, CancellationToken ct = default) =>
        WatchAsync("tasks", since, node, ChasJsonContext.Default.WatchEventTaskResource, ct);

    public IAsyncEnumerable<WatchEvent<NodeResource>> WatchNodesAsync(long since, CancellationToken ct = default) =>
        WatchAsync("nodes", since, null, ChasJsonContext.Default.WatchEventNodeResource, ct);

    private async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(string kind, long since, string? node,
        JsonTypeInfo<WatchEvent<T>> typeInfo, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"api/v1/watch?kind={kind}&since={since}" + (node is null ? "" : $"&node={Uri.EscapeDataString(node)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var message in ServerSentEvents.ReadAsync(stream, ct))
        {
            // The server ends a watch it cannot continue (the watcher fell behind) with an error event:
            // the caller resumes or lists again, as after any broken stream.
            if (message.Event == "error") throw new IOException($"the server ended the watch: {message.Data}");
            var ev = JsonSerializer.Deserialize(message.Data, typeInfo);
            if (ev is not null) yield return ev;
        }
    }

    // ---- plumbing ----

    private string TaskPath(string name, string? ns, string suffix = "") =>
        WithNamespace($"api/v1/tasks/{Segment(name)}{suffix}", ns ?? Namespace);

    private static string WithNamespace(string path, string? ns) =>
        ns is null ? path : WithQuery(path, $"namespace={Uri.EscapeDataString(ns)}");

    private static string WithQuery(string path, string query) => path + (path.Contains('?') ? "&" : "?") + query;

    /// <summary>
    /// A name as one path segment. An empty name, "." or ".." would address another endpoint (the list, or the
    /// parent), whose answer then fails to parse as the object asked for: refused here, before any request.
    /// </summary>
    private static string Segment(string name) =>
        string.IsNullOrWhiteSpace(name) || name is "." or ".."
            ? throw new ArgumentException($"'{name}' is not a name: give the name of the object")
            : Uri.EscapeDataString(name);

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> typeInfo, CancellationToken ct)
    {
        using var response = await _http.GetAsync(path, ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync(typeInfo, ct))!;
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest? body,
        JsonTypeInfo<TRequest>? requestType, JsonTypeInfo<TResponse> responseType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null && requestType is not null) request.Content = JsonContent.Create(body, requestType);
        using var response = await _http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync(responseType, ct))!;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        throw await ChasApiException.FromResponseAsync(response, ct);
    }

    public static bool IsNotFound(Exception ex) => ex is ChasApiException { Status: HttpStatusCode.NotFound };

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
