using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Chas.Contracts;

namespace Chas.Server.Tests;

/// <summary>
/// Behind the ingress's gateway every client comes from the ingress's address; the server believes the
/// X-Forwarded-For of a trusted proxy (loopback, as `chas dev`'s ingress) so throttles and the audit log see the
/// real client.
/// </summary>
public sealed class ForwardedClientTests
{
    [Fact]
    public async Task A_request_forwarded_by_a_loopback_proxy_is_audited_with_the_client_it_names()
    {
        await using var host = await AuthTestHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/tasks")
        {
            Content = new StringContent("""{"name":"via-gateway","image":"busybox"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.Secrets.AdminToken);
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var entry = await Eventually.WaitAsync(() => host.Admin.ListAuditAsync(),
            entries => entries.Any(e => e.Path == "/api/v1/tasks"), "the create in the audit log");
        Assert.Equal("203.0.113.7", entry.Single(e => e.Path == "/api/v1/tasks").ClientIp);
    }

    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5", true)]
    [InlineData("10.0.0.5", "10.0.0.6", false)]
    [InlineData("10.0.0.0/8", "10.200.1.1", true)]
    [InlineData("fd00::1", "fd00::1", true)]
    public void A_trusted_proxy_is_an_address_or_a_range(string proxy, string caller, bool trusted)
    {
        Assert.True(Chas.Server.Hosting.ServerOptions.TryParseProxy(proxy, out var network));
        Assert.Equal(trusted, network.Contains(IPAddress.Parse(caller)));
    }

    [Fact]
    public void Anything_else_is_no_proxy()
    {
        Assert.False(Chas.Server.Hosting.ServerOptions.TryParseProxy("nonsense", out _));
    }
}
