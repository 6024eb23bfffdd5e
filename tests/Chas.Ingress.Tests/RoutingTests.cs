using System.Net;
using Chas.Contracts;
using Chas.Ingress.Tests.Infrastructure;

namespace Chas.Ingress.Tests;

public sealed class RoutingTests : IAsyncLifetime
{
    private IngressHarness _h = null!;

    public async Task InitializeAsync() => _h = await IngressHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Round_robin_spreads_requests_over_every_ready_backend()
    {
        var backends = await _h.AddBackendsAsync("web", 3);
        await _h.DeployAsync("web", "web", 3);
        await _h.WaitForDestinationsAsync("web.default.localhost", 3);

        var counts = await _h.SpreadAsync("web.default.localhost", 30);

        var seen = string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"));
        Assert.True(backends.All(b => counts.GetValueOrDefault(b.Name) == 10) && counts.Count == 3, seen);
    }

    [Fact]
    public async Task The_backend_sees_the_host_the_client_asked_for()
    {
        // As nginx-ingress and Traefik do: virtual hosts, absolute redirects and cookies of the app need the public name.
        var backend = Assert.Single(await _h.AddBackendsAsync("site", 1));
        await _h.DeployAsync("site", "site", 1, new IngressSpec { Hosts = ["www.example.test"] });
        await _h.WaitForDestinationsAsync("www.example.test", 1);

        Assert.Equal((HttpStatusCode.OK, "site-1"), await _h.GetAsync("www.example.test"));
        Assert.Equal("www.example.test", backend.LastHost);
    }

    [Fact]
    public async Task The_backend_gets_the_request_target_as_the_client_encoded_it()
    {
        // npm scopes, GitLab project paths, S3 keys: %2F must stay %2F, and %252F stay %252F.
        var backend = Assert.Single(await _h.AddBackendsAsync("raw", 1));
        await _h.DeployAsync("raw", "raw", 1);
        await _h.WaitForDestinationsAsync("raw.default.localhost", 1);

        Assert.Equal(HttpStatusCode.OK, (await _h.GetAsync("raw.default.localhost", "/pkg/%40scope%2Fname?q=a%20b")).Status);
        Assert.Equal("/pkg/%40scope%2Fname?q=a%20b", backend.LastTarget);
        Assert.Equal(HttpStatusCode.OK, (await _h.GetAsync("raw.default.localhost", "/k/a%252Fb")).Status);
        Assert.Equal("/k/a%252Fb", backend.LastTarget);
    }

    [Fact]
    public async Task A_connect_request_is_refused_with_405_and_not_counted_against_the_deployment()
    {
        await _h.AddBackendsAsync("tun", 1);
        await _h.DeployAsync("tun", "tun", 1);
        await _h.WaitForDestinationsAsync("tun.default.localhost", 1);

        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(_h.Url.Host, _h.Url.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync("CONNECT tun.default.localhost:80 HTTP/1.1\r\nHost: tun.default.localhost:80\r\n\r\n"u8.ToArray());
        using var reader = new StreamReader(stream);
        var statusLine = await reader.ReadLineAsync();

        Assert.StartsWith("HTTP/1.1 405", statusLine, StringComparison.Ordinal);
        Assert.DoesNotContain((await _h.StatsAsync()).Deployments, d => d.Deployment == "default/tun" && d.ByStatus.Keys.Any(k => k.StartsWith('5')));
    }

    [Fact]
    public async Task Extra_hosts_path_prefixes_and_host_port_forms_are_routed()
    {
        await _h.AddBackendsAsync("api", 1);
        await _h.DeployAsync("api", "api", 1, new IngressSpec { Hosts = ["API.Example.test"], Paths = ["/v1/"] });
        await _h.WaitForDestinationsAsync("api.example.test", 1, "/v1");

        Assert.Equal((HttpStatusCode.OK, "api-1"), await _h.GetAsync("api.example.test", "/v1"));
        Assert.Equal((HttpStatusCode.OK, "api-1"), await _h.GetAsync("api.example.test", "/v1/users?id=3"));
        Assert.Equal((HttpStatusCode.OK, "api-1"), await _h.GetAsync("api.default.localhost:8000", "/v1/users"));
        Assert.Equal(HttpStatusCode.NotFound, (await _h.GetAsync("api.example.test", "/v2")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _h.GetAsync("api.example.test", "/v10")).Status);
    }

    [Fact]
    public async Task An_unknown_host_gets_a_404_that_names_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "some/path");
        request.Headers.Host = "nothing.default.localhost";
        using var response = await _h.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'nothing.default.localhost'", body, StringComparison.Ordinal);
        Assert.Contains("<name>.<namespace>.localhost", body, StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single((await _h.StatsAsync()).Deployments, d => d.Deployment == "(unrouted)").ByStatus["404"]);
    }

    [Fact]
    public async Task A_deployment_without_a_ready_instance_answers_503_with_a_reason()
    {
        _h.Agent.BecomesReady = _ => false;
        await _h.AddBackendsAsync("slow", 1);
        await _h.DeployAsync("slow", "slow", 1);
        await _h.WaitForDestinationsAsync("slow.default.localhost", 0);
        // Running but not ready: still no destination.
        await Eventually.WaitAsync(() => _h.Server.Admin.ListTasksAsync(), l => l.Items.Any(t => t.Status == TaskPhase.Running), "a running instance");

        // The stats read YARP's route state, which can list a new route a moment before requests match it: a
        // full run once got the unknown-host 404 here. Wait for the route to take requests, then judge the answer.
        var (status, body) = await Eventually.WaitAsync(() => _h.GetAsync("slow.default.localhost"),
            r => r.Status != HttpStatusCode.NotFound, "the new route to take requests");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("default/slow has no ready instance", body, StringComparison.Ordinal);
    }
}
