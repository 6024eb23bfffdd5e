using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Chas.Contracts;

namespace Chas.Client;

/// <summary>The WebSockets of `chas exec` and `chas forward`, through the server.</summary>
public sealed partial class ChasClient
{
    /// <summary>Starts <paramref name="command"/> in the task's container; the server's refusals surface as <see cref="ChasApiException"/>.</summary>
    public async Task<ExecConnection> StartExecAsync(string name, IReadOnlyList<string> command, bool tty, bool stdin,
        string? ns = null, CancellationToken ct = default)
    {
        var query = string.Join('&', command.Select(c => "cmd=" + Uri.EscapeDataString(c)))
            + $"&tty={(tty ? "true" : "false")}&stdin={(stdin ? "true" : "false")}";
        return new ExecConnection(await ConnectWebSocketAsync(WithQuery(TaskPath(name, ns, "/exec"), query), ct));
    }

    /// <summary>
    /// One TCP connection to <paramref name="port"/> of the task's container: binary messages carry its bytes both
    /// ways; a close is the connection's (half-)close.
    /// </summary>
    public Task<WebSocket> ConnectForwardAsync(string name, int port, string? ns = null, CancellationToken ct = default) =>
        ConnectWebSocketAsync(WithQuery(TaskPath(name, ns, "/forward"), $"port={port}"), ct);

    private async Task<WebSocket> ConnectWebSocketAsync(string path, CancellationToken ct)
    {
        // From the server in use (several servers: the one the client moved to).
        var uri = new UriBuilder(new Uri(Server, path));
        uri.Scheme = uri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var socket = new ClientWebSocket();
        // Through this client's HttpClient: the same TLS trust (ChasClientTls) and the same bearer token.
        using var invoker = new UpgradeInvoker(_http);
        try
        {
            await socket.ConnectAsync(uri.Uri, invoker, ct);
            return socket;
        }
        catch (WebSocketException ex)
        {
            socket.Dispose();
            throw invoker.Refusal ?? new ChasApiException(HttpStatusCode.BadGateway, "The connection failed.", ex.Message, new Dictionary<string, string[]>());
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends the upgrade through an <see cref="HttpClient"/> and keeps the problem a refusing server answered, which
    /// ClientWebSocket itself drops (it only says the upgrade failed).
    /// </summary>
    private sealed class UpgradeInvoker(HttpClient http) : HttpMessageInvoker(new NotUsedHandler())
    {
        public ChasApiException? Refusal { get; private set; }

        public override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
                Refusal = await ChasApiException.FromResponseAsync(response, cancellationToken);
            return response;
        }

        private sealed class NotUsedHandler : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                throw new InvalidOperationException("requests go through the client's HttpClient");
        }
    }
}

/// <summary>A command running in a container, spoken to in <see cref="ExecFrames"/>.</summary>
public sealed class ExecConnection(WebSocket socket) : IAsyncDisposable
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public Task WriteInputAsync(ReadOnlyMemory<byte> input, CancellationToken ct) =>
        input.IsEmpty ? Task.CompletedTask : SendAsync(ExecFrames.Frame(ExecFrames.Stdin, input.Span), ct);

    /// <summary>End of input: the command reads EOF.</summary>
    public Task CloseInputAsync(CancellationToken ct) => SendAsync([ExecFrames.Stdin], ct);

    public Task ResizeAsync(int cols, int rows, CancellationToken ct) =>
        SendAsync(ExecFrames.Frame(ExecFrames.Resize, JsonSerializer.SerializeToUtf8Bytes(new TerminalSize(cols, rows), ChasJsonContext.Default.TerminalSize)), ct);

    /// <summary>Writes the command's output to <paramref name="stdout"/> and <paramref name="stderr"/> as it comes; returns its exit code.</summary>
    /// <exception cref="IOException">The connection ended before the exit code came.</exception>
    public async Task<int> CopyOutputAsync(Stream stdout, Stream stderr, CancellationToken ct)
    {
        int? exitCode = null;
        var message = new MemoryStream();
        var buffer = new byte[32 * 1024];
        while (true)
        {
            WebSocketReceiveResult received;
            try
            {
                received = await socket.ReceiveAsync(buffer, ct);
            }
            catch (WebSocketException ex)
            {
                throw new IOException($"the connection to the command broke: {ex.Message}", ex);
            }
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await SendCloseAsync(ct);
                return exitCode ?? throw new IOException(
                    $"the connection to the command closed before its exit code came{(socket.CloseStatusDescription is { Length: > 0 } why ? $": {why}" : "")}");
            }
            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage) continue;
            var frame = message.ToArray();
            message.SetLength(0);
            if (frame.Length == 0) continue;
            switch (frame[0])
            {
                case ExecFrames.Stdout:
                case ExecFrames.Stderr:
                    var target = frame[0] == ExecFrames.Stdout ? stdout : stderr;
                    await target.WriteAsync(frame.AsMemory(1), ct);
                    await target.FlushAsync(ct);
                    break;
                case ExecFrames.Exit:
                    exitCode = JsonSerializer.Deserialize(frame.AsSpan(1), ChasJsonContext.Default.ExecExit)?.ExitCode;
                    break;
            }
        }
    }

    private async Task SendAsync(byte[] frame, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct);
        try
        {
            // Input after the command has ended has nowhere to go.
            if (socket.State == WebSocketState.Open)
                await socket.SendAsync(frame, WebSocketMessageType.Binary, true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task SendCloseAsync(CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct);
        try
        {
            if (socket.State == WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Leaving without a close (Ctrl-C): a close tells the node to hang the command up.
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "hung up", quick.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // Gone already.
            }
        }
        socket.Dispose();
        _sendLock.Dispose();
    }
}
