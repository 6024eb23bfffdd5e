using System.Globalization;
using System.Net.Http.Headers;
using Chas.Contracts;
using Chas.Server.Hosting;
using Chas.Server.State;
using Microsoft.AspNetCore.Http;

namespace Chas.Server.Api;

/// <summary>
/// Logs live on the node. The server reaches the node's agent and relays its stream, so a client
/// only ever needs the server's address.
/// </summary>
internal static class TaskLogs
{
    public const string AgentHttpClient = "agents";

    public static async Task ProxyAsync(string name, HttpContext context, TaskStore tasks, NodeStore nodes,
        IHttpClientFactory httpFactory, ServerSecrets secrets, bool follow = false, int? tail = null, bool timestamps = false,
        string? since = null, string? stream = null)
    {
        var ct = context.RequestAborted;
        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                await Problems.Field("since", "must be an ISO 8601 time, e.g. 2026-11-23T08:00:00Z").ExecuteAsync(context);
                return;
            }
            from = parsed;
        }
        if (stream is not (null or "all" or "stdout" or "stderr"))
        {
            await Problems.Field("stream", "must be all, stdout or stderr").ExecuteAsync(context);
            return;
        }
        var task = await tasks.GetAsync(RequestContext.NamespaceOf(context.Request), name, ct);
        if (task is null)
        {
            await Problems.NotFound("task", name).ExecuteAsync(context);
            return;
        }
        if (tail is < 0)
        {
            await Problems.Field("tail", "must not be negative").ExecuteAsync(context);
            return;
        }
        if (task.ContainerId is null || task.Node is null)
        {
            var why = task.Status is TaskPhase.Pending or TaskPhase.PendingApproval ? $"it is pending: {task.Reason}" : $"it is {task.Status.ToWire()}";
            await Problems.Conflict($"task '{name}' has no container yet; {why}").ExecuteAsync(context);
            return;
        }
        var node = await nodes.GetAsync(task.Node, ct);
        if (node is null)
        {
            await Problems.Conflict($"task '{name}' ran on node '{task.Node}', which is no longer registered").ExecuteAsync(context);
            return;
        }

        var query = string.Create(CultureInfo.InvariantCulture,
            $"follow={follow.ToString().ToLowerInvariant()}&timestamps={timestamps.ToString().ToLowerInvariant()}{(tail is { } t ? $"&tail={t}" : "")}")
            + (from is { } f ? "&since=" + Uri.EscapeDataString(f.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)) : "")
            + (stream is "stdout" or "stderr" ? "&stream=" + stream : "");
        var url = new Uri(new Uri(node.AgentUrl), $"v1/containers/{Uri.EscapeDataString(task.ContainerId)}/logs?{query}");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Auth.OpaqueTokens.NodeCredential(secrets.NodeCredentialKey, node.Name));
        HttpResponseMessage response;
        try
        {
            response = await httpFactory.CreateClient(AgentHttpClient).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            await Problems.BadGateway($"node '{node.Name}' at {node.AgentUrl} did not answer: {ex.Message}").ExecuteAsync(context);
            return;
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var detail = await response.Content.ReadAsStringAsync(ct);
                await Problems.BadGateway($"node '{node.Name}' could not read the logs ({(int)response.StatusCode}): {detail}").ExecuteAsync(context);
                return;
            }
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers.CacheControl = "no-cache";
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                    await context.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The client went away: nothing more to relay.
            }
        }
    }
}
