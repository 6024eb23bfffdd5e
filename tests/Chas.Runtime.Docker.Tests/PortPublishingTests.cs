using System.Net;
using System.Net.Sockets;

namespace Chas.Runtime.Docker.Tests;

public sealed class PortPublishingTests(DockerEngineFixture engine) : IClassFixture<DockerEngineFixture>
{
    private readonly DockerContainerRuntime _runtime = engine.Runtime;

    [Fact]
    public async Task A_published_port_answers_http_on_the_host()
    {
        await using var containers = new TestContainers(_runtime);
        var hostPort = await StartWebServerAsync(containers);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var body = await RetryUntilDeadlineAsync(
            () => http.GetStringAsync(new Uri($"http://127.0.0.1:{hostPort}/index.html")), TimeSpan.FromSeconds(15));

        Assert.Equal("hello from chas", body.Trim());
    }

    /// <summary>Starts busybox httpd published on a free port in 20000-29999; another user of the engine may take a port first.</summary>
    private async Task<int> StartWebServerAsync(TestContainers containers)
    {
        for (var attempt = 1; ; attempt++)
        {
            var hostPort = Random.Shared.Next(20000, 30000);
            if (!IsFree(hostPort))
            {
                continue;
            }

            var spec = containers.Spec($"httpd-{attempt}", "sh", "-c",
                "echo 'hello from chas' > /var/www/index.html && exec httpd -f -p 8080 -h /var/www") with
            {
                Ports = [new PortBinding(ContainerPort: 8080, HostPort: hostPort, HostIp: "127.0.0.1")],
            };
            try
            {
                await containers.StartAsync(spec);
                return hostPort;
            }
            catch (RuntimeException) when (attempt < 5)
            {
                // The port was taken between the check and the bind; try another.
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The server needs a moment after the container starts; poll against a deadline rather than sleep a guess.</summary>
    private static async Task<T> RetryUntilDeadlineAsync<T>(Func<Task<T>> attempt, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
