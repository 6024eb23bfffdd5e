using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using Chas.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Chas.Agent;

/// <summary>
/// The WebSocket end of `chas exec` and `chas forward` on the node, called only by the server (which relays a
/// client's WebSocket to it). Exec speaks <see cref="Contracts.ExecFrames"/>; a forward carries raw TCP bytes.
/// Everything that can be refused is refused before the upgrade, as a problem the server passes on.
/// </summary>
internal static partial class AgentStreamsApi
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public static RouteGroupBuilder MapAgentStreams(this RouteGroupBuilder v1)
    {
        v1.MapGet("/containers/{id}/exec", ExecAsync);
        v1.MapGet("/containers/{id}/forward", ForwardAsync);
        return v1;
    }

    private static async Task<IResult> ExecAsync(string id, HttpContext context, IContainerRuntime runtime, TaskSupervisor supervisor, TimeProvider time, ILoggerFactory logs)
    {
        var ct = context.RequestAborted;
        if (await RefuseAsync(id, context, supervisor) is { } refused) return refused;
        var query = context.Request.Query;
        var command = query["cmd"].Where(c => c is not null).Select(c => c!).ToList();
        if (command.Count == 0) return Results.Problem(statusCode: 400, detail: "cmd: give the command to run (?cmd=sh&cmd=-c&cmd=…)");
        var request = new ExecRequest { Command = command, Tty = IsTrue(query["tty"]), Stdin = IsTrue(query["stdin"]) };

        IExecSession session;
        try
        {
            session = await runtime.StartExecAsync(id, request, ct);
        }
        catch (RuntimeException e)
        {
            return Results.Problem(statusCode: 409, detail: e.Message);
        }
        await using (session)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var logger = logs.CreateLogger("Chas.Agent.Exec");
            try
            {
                await new ExecRelay(socket, session, time).RunAsync(ct);
            }
            catch (Exception e) when (e is WebSocketException or RuntimeException or IOException or OperationCanceledException)
            {
                // The server (or its client) went away mid-session: hanging up the command is all there is to do.
                LogStreamBroke(logger, "exec", id, e.Message);
            }
        }
        return Results.Empty;
    }

    private static async Task<IResult> ForwardAsync(string id, HttpContext context, IContainerRuntime runtime, TaskSupervisor supervisor,
        AgentOptions options, TimeProvider time, ILoggerFactory logs)
    {
        var ct = context.RequestAborted;
        if (await RefuseAsync(id, context, supervisor) is { } refused) return refused;
        if (!int.TryParse(context.Request.Query["port"], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return Results.Problem(statusCode: 400, detail: "port: give the container port to connect to (1-65535)");
        var network = await runtime.GetNetworkAsync(id, ct);
        if (network is null) return Results.Problem(statusCode: 404, detail: $"no container '{id}' managed by this agent");
        if (Target(network, port, options.Address) is not var (host, targetPort))
            return Results.Problem(statusCode: 409, detail: $"container port {port} is not published and the container has no network address");

        var tcp = new TcpClient();
        try
        {
            using var expiry = new CancellationTokenSource(ConnectTimeout, time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
            await tcp.ConnectAsync(host, targetPort, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            tcp.Dispose();
            return Results.Problem(statusCode: 502, detail: $"nothing answers on container port {port} ({host}:{targetPort}: {e.Message})");
        }
        using (tcp)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            try
            {
                await TcpRelay.RunAsync(socket, tcp.Client, ct);
            }
            catch (Exception e) when (e is WebSocketException or SocketException or IOException or OperationCanceledException)
            {
                LogStreamBroke(logs.CreateLogger("Chas.Agent.Forward"), "forward", id, e.Message);
            }
        }
        return Results.Empty;
    }

    private static async Task<IResult?> RefuseAsync(string id, HttpContext context, TaskSupervisor supervisor)
    {
        if (!context.WebSockets.IsWebSocketRequest) return Results.Problem(statusCode: 400, detail: "this endpoint speaks WebSocket only");
        if (!await supervisor.OwnsContainerAsync(id, context.RequestAborted))
            return Results.Problem(statusCode: 404, detail: $"no container '{id}' managed by this agent");
        return null;
    }

    /// <summary>
    /// The published port on the node's address when there is one (the path probes and the ingress use), else the
    /// container's own address on its engine network.
    /// </summary>
    private static (string Host, int Port)? Target(ContainerNetwork network, int port, string nodeAddress)
    {
        var published = network.PublishedPorts.FirstOrDefault(p => p.ContainerPort == port && p.Protocol == "tcp");
        if (published is not null)
        {
            var host = string.IsNullOrEmpty(published.HostIp) || published.HostIp is "0.0.0.0" or "::" ? nodeAddress : published.HostIp;
            return (host is "0.0.0.0" or "::" ? "127.0.0.1" : host, published.HostPort);
        }
        return network.IpAddress is { } address ? (address, port) : null;
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        string.Equals(value.ToString(), "true", StringComparison.OrdinalIgnoreCase) || value.ToString() == "1";

    [LoggerMessage(EventId = 3500, Level = LogLevel.Debug, Message = "The {Kind} stream of container {Container} broke: {Reason}")]
    private static partial void LogStreamBroke(ILogger logger, string kind, string container, string reason);
}

/// <summary>
/// One `chas exec` session on the node: input, resize and end-of-input frames to the command; its output, then its
/// exit code, back; then a normal close. A close from the other side hangs the command up.
/// </summary>
internal sealed class ExecRelay(WebSocket socket, IExecSession session, TimeProvider time)
{
    /// <summary>The largest input frame taken; a terminal sends keystrokes, a pipe chunks far smaller than this.</summary>
    private const int MaxFrameBytes = 1 << 20;
    private static readonly TimeSpan CloseAnswerTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken ct)
    {
        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var input = PumpInputAsync(hangUp.Token);
        var output = PumpOutputAsync(hangUp.Token);
        if (await Task.WhenAny(input, output) == input)
        {
            // The caller hung up (or its connection broke): nobody is left to read the command's output.
            await hangUp.CancelAsync();
            await Quietly(output);
            await input;
            if (socket.State == WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "hung up", ct);
            return;
        }
        await output;
        // The exit frame and our close are out; the caller answers the close, or is cut off after a while.
        if (await Task.WhenAny(input, Task.Delay(CloseAnswerTimeout, time, ct)) != input) socket.Abort();
        await Quietly(input);
    }

    private async Task PumpOutputAsync(CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        while (await session.ReadAsync(buffer, ct) is { Count: > 0 } read)
        {
            var channel = read.Stream == LogStream.Stderr ? Contracts.ExecFrames.Stderr : Contracts.ExecFrames.Stdout;
            await socket.SendAsync(Contracts.ExecFrames.Frame(channel, buffer.AsSpan(0, read.Count)), WebSocketMessageType.Binary, true, ct);
        }
        var exitCode = await session.WaitForExitCodeAsync(ct);
        var exit = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Contracts.ExecExit(exitCode), Contracts.ChasJsonContext.Default.ExecExit);
        await socket.SendAsync(Contracts.ExecFrames.Frame(Contracts.ExecFrames.Exit, exit), WebSocketMessageType.Binary, true, ct);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "exited", ct);
    }

    private async Task PumpInputAsync(CancellationToken ct)
    {
        var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, ct);
            if (received.MessageType == WebSocketMessageType.Close) return;
            if (message.Length + received.Count > MaxFrameBytes)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"frames are limited to {MaxFrameBytes} bytes", ct);
                return;
            }
            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage) continue;
            var frame = message.ToArray();
            message.SetLength(0);
            if (received.MessageType == WebSocketMessageType.Binary && frame.Length > 0) await HandleAsync(frame, ct);
        }
    }

    private async Task HandleAsync(byte[] frame, CancellationToken ct)
    {
        switch (frame[0])
        {
            case Contracts.ExecFrames.Stdin when frame.Length == 1:
                await session.CloseInputAsync(ct);
                break;
            case Contracts.ExecFrames.Stdin:
                await session.WriteAsync(frame.AsMemory(1), ct);
                break;
            case Contracts.ExecFrames.Resize:
                Contracts.TerminalSize? size = null;
                try
                {
                    size = System.Text.Json.JsonSerializer.Deserialize(frame.AsSpan(1), Contracts.ChasJsonContext.Default.TerminalSize);
                }
                catch (System.Text.Json.JsonException)
                {
                    // A malformed size is dropped: the terminal keeps its size, the session goes on.
                }
                if (size is null) break;
                try
                {
                    await session.ResizeAsync(size.Cols, size.Rows, ct);
                }
                catch (RuntimeException)
                {
                    // A terminal the engine could not resize (the command just ended, or not quite started) keeps its
                    // size; the session is worth more than the size.
                }
                break;
            // Other channels flow the other way; a client sending them is ignored rather than cut off.
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or RuntimeException or IOException)
        {
            // Ended by the hang-up or the broken connection that is being handled already.
        }
    }
}

/// <summary>
/// Raw bytes between a WebSocket and a TCP connection, each end's close passed on as the other's half-close,
/// until both directions have ended. Either side breaking ends both.
/// </summary>
internal static class TcpRelay
{
    public static async Task RunAsync(WebSocket socket, Socket tcp, CancellationToken ct)
    {
        using var broken = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var toTcp = WebSocketToTcpAsync(socket, tcp, broken.Token);
        var fromTcp = TcpToWebSocketAsync(tcp, socket, broken.Token);
        var first = await Task.WhenAny(toTcp, fromTcp);
        if (!first.IsCompletedSuccessfully)
        {
            // One way broke: the other cannot end well, and may be blocked in a read that only closing ends.
            await broken.CancelAsync();
            socket.Abort();
            tcp.Dispose();
        }
        await Task.WhenAll(toTcp, fromTcp);
    }

    private static async Task WebSocketToTcpAsync(WebSocket socket, Socket tcp, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                tcp.Shutdown(SocketShutdown.Send);
                return;
            }
            await tcp.SendAsync(buffer.AsMemory(0, received.Count), SocketFlags.None, ct);
        }
    }

    private static async Task TcpToWebSocketAsync(Socket tcp, WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        int read;
        while ((read = await tcp.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
            await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, true, ct);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closed", ct);
    }
}
