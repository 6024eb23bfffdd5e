using System.Globalization;
using System.Net.WebSockets;
using Chas.Contracts;
using Chas.Server.Auth;
using Chas.Server.Hosting;
using Chas.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Chas.Server.Api;

/// <summary>
/// `chas exec` and `chas forward` (and the dashboard's terminal): WebSockets the server relays, message by message,
/// to the task's node agent, so a client only ever needs the server's address (as with logs). The server does not
/// read the frames (see <see cref="ExecFrames"/>); the agent speaks them. Everything that can be refused — no
/// WebSocket, no such task, not running, the agent says no — is refused before the client's upgrade, as a problem.
/// </summary>
public static partial class TaskStreamsApi
{
    public static IEndpointRouteBuilder MapTaskStreamsApi(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/api/v1/tasks").WithTags("Tasks");
        tasks.MapGet("/{name}/exec", ExecAsync).RequireAccess(AccessLevel.NamespaceWrite)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway)
            .WithSummary("WebSocket: run a command in the task's container (?cmd=sh&cmd=-c&cmd=…&tty=true&stdin=true). Binary frames, first byte the channel: 0 stdin, 1 stdout, 2 stderr, 3 resize {cols,rows}, 4 exit {exitCode}.");
        tasks.MapGet("/{name}/forward", ForwardAsync).RequireAccess(AccessLevel.NamespaceWrite)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway)
            .WithSummary("WebSocket: one TCP connection to a port of the task's container (?port=N); binary messages carry the bytes, a close is the connection's close.");
        return app;
    }

    private static Task ExecAsync(string name, HttpContext context, TaskStore tasks, NodeStore nodes, IHttpClientFactory http,
        ServerSecrets secrets, ILoggerFactory logs)
    {
        var query = context.Request.Query;
        var command = query["cmd"].Where(c => !string.IsNullOrEmpty(c)).Select(c => "cmd=" + Uri.EscapeDataString(c!)).ToList();
        if (context.WebSockets.IsWebSocketRequest && command.Count == 0)
            return Problems.Field("cmd", "give the command to run (?cmd=sh&cmd=-c&cmd=…)").ExecuteAsync(context);
        var agentQuery = string.Join('&', command) + $"&tty={Flag(query["tty"])}&stdin={Flag(query["stdin"])}";
        return RelayAsync(name, "exec", agentQuery, context, tasks, nodes, http, secrets, logs);
    }

    private static Task ForwardAsync(string name, HttpContext context, TaskStore tasks, NodeStore nodes, IHttpClientFactory http,
        ServerSecrets secrets, ILoggerFactory logs)
    {
        if (context.WebSockets.IsWebSocketRequest
            && !(int.TryParse(context.Request.Query["port"], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535))
            return Problems.Field("port", "give the container port to connect to (1-65535)").ExecuteAsync(context);
        return RelayAsync(name, "forward", "port=" + context.Request.Query["port"], context, tasks, nodes, http, secrets, logs);
    }

    private static async Task RelayAsync(string name, string action, string agentQuery, HttpContext context, TaskStore tasks, NodeStore nodes,
        IHttpClientFactory http, ServerSecrets secrets, ILoggerFactory logs)
    {
        var ct = context.RequestAborted;
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Problems.Status(StatusCodes.Status400BadRequest, $"{action} speaks WebSocket only: connect with a WebSocket client (the CLI: chas {action})").ExecuteAsync(context);
            return;
        }
        var task = await tasks.GetAsync(RequestContext.NamespaceOf(context.Request), name, ct);
        if (task is null)
        {
            await Problems.NotFound("task", name).ExecuteAsync(context);
            return;
        }
        if (task.Status != TaskPhase.Running || task.ContainerId is null || task.Node is null)
        {
            var why = task.Status is TaskPhase.Pending or TaskPhase.PendingApproval ? $"it is pending: {task.Reason}" : $"it is {task.Status.ToWire()}";
            await Problems.Conflict($"task '{name}' has no running container; {why}").ExecuteAsync(context);
            return;
        }
        var node = await nodes.GetAsync(task.Node, ct);
        if (node is null)
        {
            await Problems.Conflict($"task '{name}' runs on node '{task.Node}', which is no longer registered").ExecuteAsync(context);
            return;
        }

        var agentUrl = new UriBuilder(new Uri(new Uri(node.AgentUrl), $"v1/containers/{Uri.EscapeDataString(task.ContainerId)}/{action}"))
        {
            Query = agentQuery,
        };
        agentUrl.Scheme = agentUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        using var agent = new ClientWebSocket();
        agent.Options.SetRequestHeader("Authorization", "Bearer " + OpaqueTokens.NodeCredential(secrets.NodeCredentialKey, node.Name));
        using var invoker = new UpgradeInvoker(http.CreateClient(TaskLogs.AgentHttpClient));
        try
        {
            await agent.ConnectAsync(agentUrl.Uri, invoker, ct);
        }
        catch (WebSocketException ex)
        {
            var detail = invoker.Refusal is { } refusal
                ? $"node '{node.Name}' refused ({refusal.Status}): {refusal.Detail}"
                : $"node '{node.Name}' at {node.AgentUrl} did not answer: {ex.Message}";
            // The agent's own refusals that are the caller's to fix (not running any more, nothing listens) keep their status.
            var status = invoker.Refusal is { Status: StatusCodes.Status409Conflict or StatusCodes.Status400BadRequest } said ? said.Status : StatusCodes.Status502BadGateway;
            await Problems.Status(status, detail).ExecuteAsync(context);
            return;
        }

        using var client = await context.WebSockets.AcceptWebSocketAsync();
        try
        {
            await WebSocketRelay.RunAsync(client, agent, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // One end went away without closing: the other has been cut off too; nothing is left to tell anyone.
            LogRelayBroke(logs.CreateLogger("Chas.Server.TaskStreams"), action, name, e.Message);
        }
    }

    private static string Flag(Microsoft.Extensions.Primitives.StringValues value) =>
        string.Equals(value.ToString(), "true", StringComparison.OrdinalIgnoreCase) || value.ToString() == "1" ? "true" : "false";

    [LoggerMessage(EventId = 2500, Level = LogLevel.Debug, Message = "The {Action} relay of task {Task} broke: {Reason}")]
    private static partial void LogRelayBroke(ILogger logger, string action, string task, string reason);

    /// <summary>
    /// Sends the WebSocket upgrade through the agents' HttpClient and keeps what a refusing agent said: ClientWebSocket
    /// itself only reports that the upgrade failed, and the agent's problem detail is what the user needs to read.
    /// </summary>
    private sealed class UpgradeInvoker(HttpClient http) : HttpMessageInvoker(new NotUsedHandler())
    {
        public (int Status, string Detail)? Refusal { get; private set; }

        public override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != System.Net.HttpStatusCode.SwitchingProtocols)
                Refusal = ((int)response.StatusCode, ProblemDetail(await response.Content.ReadAsStringAsync(cancellationToken)));
            return response;
        }

        private static string ProblemDetail(string body)
        {
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } text) return text;
            }
            catch (System.Text.Json.JsonException)
            {
                // Not a problem document: the body as it is.
            }
            return body.Trim();
        }

        /// <summary>The base class wants a handler; every request goes to <c>http</c> instead.</summary>
        private sealed class NotUsedHandler : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                throw new InvalidOperationException("requests go through the agents' HttpClient");
        }
    }
}

/// <summary>
/// Passes WebSocket messages both ways unchanged until both ends have closed; a close from one end is passed to the
/// other as its close (the other direction may go on, as TCP half-close does). One end breaking cuts off the other.
/// </summary>
internal static class WebSocketRelay
{
    public static async Task RunAsync(WebSocket a, WebSocket b, CancellationToken ct)
    {
        using var broken = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var aToB = PumpAsync(a, b, broken.Token);
        var bToA = PumpAsync(b, a, broken.Token);
        var first = await Task.WhenAny(aToB, bToA);
        if (!first.IsCompletedSuccessfully)
        {
            await broken.CancelAsync();
            a.Abort();
            b.Abort();
        }
        await Task.WhenAll(aToB, bToA);
    }

    private static async Task PumpAsync(WebSocket from, WebSocket to, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var received = await from.ReceiveAsync(buffer, ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                // 1005 (no status) may be received but not sent.
                var status = from.CloseStatus is null or WebSocketCloseStatus.Empty ? WebSocketCloseStatus.NormalClosure : from.CloseStatus.Value;
                await to.CloseOutputAsync(status, from.CloseStatusDescription, ct);
                return;
            }
            await to.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, ct);
        }
    }
}
