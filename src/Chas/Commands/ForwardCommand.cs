using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Chas.Cli;
using Chas.Client;

namespace Chas.Commands;

/// <summary>
/// `chas forward`: a local port whose every connection is carried, over its own WebSocket through the server, to a
/// port of a task's container. Nothing on the way needs to reach the node or the container directly.
/// </summary>
internal static class ForwardCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Task name, or a deployment's (its first ready instance)" };
        var ports = new Argument<string>("ports") { Description = "LOCALPORT:CONTAINERPORT (LOCALPORT 0: any free port)" };
        var ns = NamespaceOption.Create();
        var cmd = new Command("forward", "Forward a local port to a port of a task's container (until Ctrl-C)") { name, ports, ns };
        cmd.SetAction((parse, ct) => NamespaceOption.WithClientAsync(parse, ns, async (client, token) =>
        {
            var (localPort, containerPort) = ParsePorts(parse.GetValue(ports)!);
            var task = await ExecCommand.ResolveRunningTaskAsync(client, parse.GetValue(name)!, token);
            using var listener = new TcpListener(IPAddress.Loopback, localPort);
            try
            {
                listener.Start();
            }
            catch (SocketException ex)
            {
                throw new CliException($"cannot listen on 127.0.0.1:{localPort}: {ex.Message}");
            }
            var bound = ((IPEndPoint)listener.LocalEndpoint).Port;
            Console.Out.WriteLine($"Forwarding 127.0.0.1:{bound} -> {task.Name}:{containerPort}");
            try
            {
                while (true)
                {
                    var connection = await listener.AcceptSocketAsync(token);
                    _ = CarryAsync(client, task.Name, task.Namespace, containerPort, connection, token);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return 0; // Ctrl-C: the way to stop forwarding
            }
        }, ct));
        return cmd;
    }

    private static (int Local, int Container) ParsePorts(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var local) && local is >= 0 and <= 65535
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var container) && container is >= 1 and <= 65535)
            return (local, container);
        throw new CliException($"'{text}' is not LOCALPORT:CONTAINERPORT (e.g. 8080:80)");
    }

    /// <summary>One local connection: its own WebSocket, bytes both ways, each side's close passed on as a half-close.</summary>
    private static async Task CarryAsync(ChasClient client, string task, string ns, int port, Socket connection, CancellationToken ct)
    {
        using (connection)
        {
            WebSocket socket;
            try
            {
                socket = await client.ConnectForwardAsync(task, port, ns, ct);
            }
            catch (Exception ex) when (ex is ChasApiException or HttpRequestException or WebSocketException)
            {
                Console.Error.WriteLine($"error: connection to {task}:{port}: {ex.Message}");
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            using (socket)
            {
                using var broken = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var up = LocalToRemoteAsync(connection, socket, broken.Token);
                var down = RemoteToLocalAsync(socket, connection, broken.Token);
                var first = await Task.WhenAny(up, down);
                if (!first.IsCompletedSuccessfully)
                {
                    // One way broke (or Ctrl-C): the other is cut off too.
                    await broken.CancelAsync();
                    socket.Abort();
                    connection.Close();
                }
                try
                {
                    await Task.WhenAll(up, down);
                }
                catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or SocketException or IOException or ObjectDisposedException)
                {
                    if (!ct.IsCancellationRequested) Console.Error.WriteLine($"error: connection to {task}:{port} broke: {ex.Message}");
                }
            }
        }
    }

    private static async Task LocalToRemoteAsync(Socket connection, WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        int read;
        while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
            await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, true, ct);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closed", ct);
    }

    private static async Task RemoteToLocalAsync(WebSocket socket, Socket connection, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                // The container's side closed (or the forward was refused mid-way: say why).
                if (socket.CloseStatus is not (WebSocketCloseStatus.NormalClosure or null) && socket.CloseStatusDescription is { Length: > 0 } why)
                    Console.Error.WriteLine($"error: {why}");
                connection.Shutdown(SocketShutdown.Send);
                return;
            }
            await connection.SendAsync(buffer.AsMemory(0, received.Count), SocketFlags.None, ct);
        }
    }
}
