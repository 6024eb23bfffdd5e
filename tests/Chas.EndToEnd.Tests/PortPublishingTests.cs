using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

public sealed class PortPublishingTests(SharedDevFixture fixture, ITestOutputHelper output) : SharedDevTest(fixture, output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task A_published_port_gets_a_host_port_in_the_node_range_on_loopback_that_serves_the_container()
    {
        var page = $"served by {Guid.NewGuid():N}";
        await Dev.RunTaskAsync("web-any-port", WebServer(page), "-p", "8080");

        var task = await Dev.WaitForStatusAsync("web-any-port", TaskPhase.Running);
        var listed = Assert.Single(await Dev.Cli.ListAllTasksAsync(), t => t.Name == "web-any-port");
        var port = Assert.Single(listed.PublishedPorts);
        Assert.Equal(8080, port.ContainerPort);
        Assert.Equal("tcp", port.Protocol);
        Assert.Equal("127.0.0.1", port.HostIp);
        Assert.InRange(port.HostPort, Dev.PortRange.From, Dev.PortRange.To);

        Assert.Equal(page + "\n", await GetWhenServingAsync(port.HostPort));
        await Dev.Cli.RunAsync("rm", "-f", task.Name);
    }

    [Fact]
    public async Task A_fixed_host_port_inside_the_range_is_honoured()
    {
        var hostPort = Dev.PortRange.From + 42;
        var page = $"served by {Guid.NewGuid():N}";
        await Dev.RunTaskAsync("web-fixed-port", WebServer(page), "-p", $"{hostPort}:8080");

        var task = await Dev.WaitForStatusAsync("web-fixed-port", TaskPhase.Running);
        var port = Assert.Single(task.PublishedPorts);
        Assert.Equal(new PublishedPort { ContainerPort = 8080, HostPort = hostPort, Protocol = "tcp", HostIp = "127.0.0.1" }, port);

        Assert.Equal(page + "\n", await GetWhenServingAsync(hostPort));
        await Dev.Cli.RunAsync("rm", "-f", task.Name);
    }

    /// <summary>busybox httpd in the foreground, serving one page written just before.</summary>
    private static string[] WebServer(string page) =>
        ["sh", "-c", $"echo '{page}' > /var/www/index.html && exec httpd -f -p 8080 -h /var/www"];

    /// <summary>The page at http://127.0.0.1:PORT/, once the server in the container has started listening.</summary>
    private async Task<string> GetWhenServingAsync(int hostPort) =>
        await Eventually.GetAsync(() => Http.GetStringAsync(new Uri($"http://127.0.0.1:{hostPort}/")), _ => true,
            TimeSpan.FromSeconds(20), $"HTTP GET http://127.0.0.1:{hostPort}/ to answer", Dev.Diagnostics);
}
