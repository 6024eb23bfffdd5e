using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Chas.Contracts;

namespace Chas.Agent.Tests;

/// <summary>Exec and forward WebSockets from a client through the real server and agent, over the fake engine.</summary>
public sealed class AgentStreamsTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private readonly FakeContainerRuntime _runtime = new();
    private TestAgent _agent = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _agent = new TestAgent(_server, _runtime);
        await _agent.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Exec_input_reaches_the_command_and_its_output_and_exit_code_come_back()
    {
        var task = await RunningTaskAsync("shell");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using var exec = await _server.Admin.StartExecAsync("shell", ["cat"], tty: false, stdin: true, ct: deadline.Token);
        await exec.WriteInputAsync("ping\n"u8.ToArray(), deadline.Token);
        await exec.CloseInputAsync(deadline.Token);
        using var stdout = new MemoryStream();
        var exitCode = await exec.CopyOutputAsync(stdout, Stream.Null, deadline.Token);

        Assert.Equal(0, exitCode);
        Assert.Equal("ping\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Contains($"exec-attached {task.ContainerId} cat", _runtime.Calls);
    }

    [Fact]
    public async Task Forward_carries_bytes_both_ways_and_the_containers_close_ends_it()
    {
        await RunningTaskAsync("server");
        // The fake engine puts every container at 127.0.0.1: this listener plays the container's port.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var container = Task.Run(async () =>
        {
            using var connection = await listener.AcceptSocketAsync(deadline.Token);
            var buffer = new byte[4];
            var read = 0;
            while (read < 4) read += await connection.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, deadline.Token);
            await connection.SendAsync("pong"u8.ToArray(), SocketFlags.None, deadline.Token);
            return Encoding.ASCII.GetString(buffer);
        });

        using var socket = await _server.Admin.ConnectForwardAsync("server", port, ct: deadline.Token);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Binary, true, deadline.Token);
        var received = new MemoryStream();
        var chunk = new byte[1024];
        while (await socket.ReceiveAsync(chunk, deadline.Token) is { MessageType: not WebSocketMessageType.Close } result)
            received.Write(chunk, 0, result.Count);

        Assert.Equal("ping", await container);
        Assert.Equal("pong", Encoding.ASCII.GetString(received.ToArray()));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task A_task_without_a_running_container_is_refused_before_the_upgrade()
    {
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = "huge", Image = "img", CpuMillis = 1_000_000 });

        var refused = await Assert.ThrowsAsync<Client.ChasApiException>(() => _server.Admin.StartExecAsync("huge", ["sh"], tty: true, stdin: true));

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("task 'huge' has no running container; it is pending", refused.Message, StringComparison.Ordinal);
    }

    private async Task<TaskResource> RunningTaskAsync(string name)
    {
        await _server.Admin.CreateTaskAsync(new CreateTaskRequest { Name = name, Image = "img" });
        return await Eventually.WaitAsync(() => _server.Admin.GetTaskAsync(name), t => t.Status == TaskPhase.Running, $"{name} running");
    }
}
