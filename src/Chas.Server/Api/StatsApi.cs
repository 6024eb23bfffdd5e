using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.Hosting;
using Chas.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chas.Server.Api;

/// <summary>
/// Resource use, sampled by each node's agent every second (ten minutes kept there, nothing stored here): the
/// server asks the agents, as it does for logs, so clients and the dashboard need only the server. A node that
/// does not answer in time is reported in the series' <c>error</c>, never as a failure of the whole request.
/// </summary>
public static class StatsApi
{
    private static readonly TimeSpan AgentTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/tasks/{name}/stats", TaskStatsAsync).WithTags("Tasks").RequireAccess(AccessLevel.NamespaceRead)
            .Produces<StatsSeries>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("CPU, memory, network and block I/O of the task's container, one sample a second for up to ten minutes (?since=TIME for newer ones).");
        app.MapGet("/api/v1/nodes/{name}/stats", NodeStatsAsync).WithTags("Nodes").RequireAccess(AccessLevel.ClusterRead)
            .Produces<StatsSeries>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("CPU, memory, network, disk and GPU use of the node, one sample a second for up to ten minutes (?since=TIME for newer ones).");
        var stats = app.MapGroup("/api/v1/stats").WithTags("Stats");
        stats.MapGet("/nodes", AllNodesAsync).RequireAccess(AccessLevel.ClusterRead)
            .Produces<IReadOnlyList<StatsSeries>>().WithSummary("The latest sample of every node (`chas top nodes`).");
        stats.MapGet("/tasks", AllTasksAsync).RequireAccess(AccessLevel.NamespaceList)
            .Produces<IReadOnlyList<StatsSeries>>()
            .WithSummary("The latest sample of every running task and instance of one namespace (?namespace=) or of all the caller can see (`chas top`).");
        return app;
    }

    private static async Task<IResult> TaskStatsAsync(string name, HttpContext context, TaskStore tasks, ClusterCache cache,
        IHttpClientFactory http, ServerSecrets secrets, TimeProvider time, string? since = null)
    {
        if (ParseSince(since) is { } invalid) return invalid;
        var ns = RequestContext.NamespaceOf(context.Request);
        var task = await tasks.GetAsync(ns, name, context.RequestAborted);
        if (task is null) return Problems.NotFound("task", name);
        if (task.ContainerId is null || task.Node is null || task.Status.IsTerminal())
            return Problems.Conflict($"task '{name}' has no running container; it is {task.Status.ToWire()}");
        var node = cache.Node(task.Node);
        if (node is null) return Problems.Conflict($"task '{name}' runs on node '{task.Node}', which is no longer registered");
        var path = $"v1/stats/containers/{Uri.EscapeDataString(task.ContainerId)}" + SinceQuery(since);
        var (series, error) = await AskAgentAsync(node, path, ChasJsonContext.Default.StatsSeries, http, secrets, time, context.RequestAborted);
        return Results.Ok((series ?? new StatsSeries { Samples = [] }) with
        {
            Kind = StatsSeries.TaskKind, Name = task.Name, Namespace = task.Namespace, Node = node.Name, ContainerId = task.ContainerId, Error = error,
        });
    }

    private static async Task<IResult> NodeStatsAsync(string name, HttpContext context, ClusterCache cache, IHttpClientFactory http,
        ServerSecrets secrets, TimeProvider time, string? since = null)
    {
        if (ParseSince(since) is { } invalid) return invalid;
        var node = cache.Node(name);
        if (node is null) return Problems.NotFound("node", name);
        var (series, error) = await AskAgentAsync(node, "v1/stats/node" + SinceQuery(since), ChasJsonContext.Default.StatsSeries, http, secrets, time, context.RequestAborted);
        return Results.Ok(NodeSeries(node, series, error));
    }

    private static async Task<IResult> AllNodesAsync(HttpContext context, ClusterCache cache, IHttpClientFactory http, ServerSecrets secrets, TimeProvider time)
    {
        var nodes = cache.Nodes().OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var answers = await Task.WhenAll(nodes.Select(n =>
            AskAgentAsync(n, "v1/stats/node?latest=true", ChasJsonContext.Default.StatsSeries, http, secrets, time, context.RequestAborted)));
        return Results.Ok(nodes.Zip(answers, (n, a) => NodeSeries(n, a.Result, a.Error)).ToList());
    }

    private static async Task<IResult> AllTasksAsync(HttpContext context, ClusterCache cache, IHttpClientFactory http, ServerSecrets secrets, TimeProvider time)
    {
        var running = cache.Tasks()
            .Where(t => t is { ContainerId: not null, Node: not null } && !t.Status.IsTerminal() && RequestContext.Lists(context.Request, t.Namespace))
            .OrderBy(t => t.Namespace, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        // One call per node with something to show, not one per task.
        var byNode = await Task.WhenAll(running.Select(t => t.Node!).Distinct(StringComparer.Ordinal).Select(async name =>
        {
            if (cache.Node(name) is not { } node) return (Node: name, Latest: (IReadOnlyList<StatsSeries>?)null, Error: (string?)$"node '{name}' is no longer registered");
            var (latest, error) = await AskAgentAsync(node, "v1/stats/containers", ChasJsonContext.Default.IReadOnlyListStatsSeries, http, secrets, time, context.RequestAborted);
            return (Node: name, Latest: latest, Error: error);
        }));
        var answers = byNode.ToDictionary(a => a.Node, StringComparer.Ordinal);
        return Results.Ok(running.Select(t =>
        {
            var answer = answers[t.Node!];
            var samples = answer.Latest?.FirstOrDefault(s => s.ContainerId == t.ContainerId)?.Samples;
            var sample = samples is { Count: > 0 } ? samples[^1] : null;
            return new StatsSeries
            {
                Kind = StatsSeries.TaskKind, Name = t.Name, Namespace = t.Namespace, Node = t.Node, ContainerId = t.ContainerId,
                Error = answer.Error, Samples = sample is null ? [] : [sample],
            };
        }).ToList());
    }

    private static StatsSeries NodeSeries(NodeResource node, StatsSeries? answer, string? error) =>
        (answer ?? new StatsSeries { Samples = [] }) with { Kind = StatsSeries.NodeKind, Name = node.Name, Node = node.Name, Error = error };

    /// <summary>GET from the node's agent with the node's credential; a node that fails or is slow gives an error text instead.</summary>
    private static async Task<(T? Result, string? Error)> AskAgentAsync<T>(NodeResource node, string path,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, IHttpClientFactory http, ServerSecrets secrets, TimeProvider time, CancellationToken ct)
        where T : class
    {
        using var slow = new CancellationTokenSource(AgentTimeout, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, slow.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(node.AgentUrl), path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OpaqueTokens.NodeCredential(secrets.NodeCredentialKey, node.Name));
            using var response = await http.CreateClient(TaskLogs.AgentHttpClient).SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var detail = await response.Content.ReadAsStringAsync(timeout.Token);
                return (null, $"node '{node.Name}' answered {(int)response.StatusCode}: {ProblemDetail(detail)}");
            }
            return (await response.Content.ReadFromJsonAsync(type, timeout.Token), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"node '{node.Name}' is unreachable: no answer within {AgentTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or UriFormatException or NotSupportedException)
        {
            return (null, $"node '{node.Name}' is unreachable: {ex.Message}");
        }
    }

    private static string ProblemDetail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    private static IResult? ParseSince(string? since) =>
        string.IsNullOrEmpty(since) || DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _)
            ? null : Problems.Field("since", $"'{since}' is not a time (ISO 8601, e.g. 2025-01-31T12:00:00Z)");

    private static string SinceQuery(string? since) => string.IsNullOrEmpty(since) ? "" : "?since=" + Uri.EscapeDataString(since);
}
