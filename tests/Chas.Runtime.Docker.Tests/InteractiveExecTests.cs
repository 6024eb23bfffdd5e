using System.Text;

namespace Chas.Runtime.Docker.Tests;

/// <summary>Attached execs (`chas exec`) against the real engine: input in, output and exit code out, terminal resize.</summary>
public sealed class InteractiveExecTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private readonly DockerContainerRuntime _runtime = engine.Runtime;

    [Fact]
    public async Task Input_goes_through_cat_and_comes_back_and_end_of_input_ends_it()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("iexec-cat", "sleep", "1000"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using var session = await _runtime.StartExecAsync(id, new ExecRequest { Command = ["cat"], Stdin = true }, deadline.Token);
        await session.WriteAsync("hello\nworld\n"u8.ToArray(), deadline.Token);
        await session.CloseInputAsync(deadline.Token);
        var (stdout, stderr) = await ReadToEndAsync(session, deadline.Token);

        Assert.Equal("hello\nworld\n", stdout);
        Assert.Equal("", stderr);
        Assert.Equal(0, await session.WaitForExitCodeAsync(deadline.Token));
    }

    [Fact]
    public async Task Stdout_and_stderr_stay_apart_and_the_exit_code_comes_back()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("iexec-exit", "sleep", "1000"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await using var session = await _runtime.StartExecAsync(id,
            new ExecRequest { Command = ["sh", "-c", "echo out; echo err >&2; exit 3"] }, deadline.Token);
        var (stdout, stderr) = await ReadToEndAsync(session, deadline.Token);

        Assert.Equal("out\n", stdout);
        Assert.Equal("err\n", stderr);
        Assert.Equal(3, await session.WaitForExitCodeAsync(deadline.Token));
    }

    [Fact]
    public async Task A_tty_session_can_be_resized_and_the_command_sees_the_new_size()
    {
        await using var containers = new TestContainers(_runtime);
        var id = await containers.StartAsync(containers.Spec("iexec-tty", "sleep", "1000"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // The shell waits for a line before asking the terminal its size, so the resize happens first.
        await using var session = await _runtime.StartExecAsync(id,
            new ExecRequest { Command = ["sh", "-c", "read line; stty size; exit 5"], Tty = true, Stdin = true }, deadline.Token);
        await session.ResizeAsync(cols: 123, rows: 45, deadline.Token);
        await session.WriteAsync("go\r"u8.ToArray(), deadline.Token);
        var (output, stderr) = await ReadToEndAsync(session, deadline.Token);

        // A TTY echoes the input and turns \n into \r\n; everything arrives as one stream.
        Assert.Contains("45 123", output, StringComparison.Ordinal);
        Assert.Equal("", stderr);
        Assert.Equal(5, await session.WaitForExitCodeAsync(deadline.Token));
    }

    [Fact]
    public async Task A_stopped_container_cannot_be_execed_into()
    {
        await using var containers = new TestContainers(_runtime);
        var (id, _) = await containers.RunToCompletionAsync(containers.Spec("iexec-stopped", "true"));

        var error = await Assert.ThrowsAsync<RuntimeException>(() =>
            _runtime.StartExecAsync(id, new ExecRequest { Command = ["true"] }, CancellationToken.None));
        Assert.Contains("is not running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_network_names_the_container_address_and_its_published_ports()
    {
        await using var containers = new TestContainers(_runtime);
        // Host port 0: the engine picks a free one.
        var spec = containers.Spec("iexec-net", "sleep", "1000") with { Ports = [new PortBinding(8080, 0, "127.0.0.1")] };
        var id = await containers.StartAsync(spec);

        var network = await _runtime.GetNetworkAsync(id, CancellationToken.None);

        Assert.NotNull(network);
        Assert.False(string.IsNullOrEmpty(network.IpAddress));
        var published = Assert.Single(network.PublishedPorts);
        Assert.Equal((8080, "127.0.0.1", "tcp"), (published.ContainerPort, published.HostIp, published.Protocol));
        Assert.True(published.HostPort > 0, $"host port {published.HostPort}");
        Assert.Null(await _runtime.GetNetworkAsync("no-such-container-" + containers.RunId, CancellationToken.None));
    }

    private static async Task<(string Stdout, string Stderr)> ReadToEndAsync(IExecSession session, CancellationToken ct)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var buffer = new byte[4096];
        while (await session.ReadAsync(buffer, ct) is { Count: > 0 } read)
            (read.Stream == LogStream.Stderr ? stderr : stdout).Write(buffer, 0, read.Count);
        return (Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }
}
