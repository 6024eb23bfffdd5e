using System.Net;
using Chas.Client.Failover;

namespace Chas.Client.Tests;

/// <summary>The failover handler against small Kestrel servers on 127.0.0.1: dead, unavailable and cut-off servers.</summary>
public sealed class ServerFailoverHandlerTests
{
    private static readonly ServerFailoverOptions Quick = new() { InitialBackoff = TimeSpan.FromMilliseconds(10), MaxBackoff = TimeSpan.FromMilliseconds(20) };

    private static HttpClient ClientOf(params Uri[] servers) => ClientOf(null, servers);

    private static HttpClient ClientOf(ListLogger? logger, params Uri[] servers)
    {
        var endpoints = new ServerEndpoints(servers);
        return new HttpClient(ServerFailoverHandler.Create(endpoints, null, Quick, logger)) { BaseAddress = endpoints.Primary };
    }

    [Fact]
    public async Task A_read_moves_past_a_dead_server_and_then_stays_on_the_live_one()
    {
        await using var first = await FlakyServer.StartAsync("first");
        await using var second = await FlakyServer.StartAsync("second");
        var logger = new ListLogger();
        using var http = ClientOf(logger, first.Url, second.Url);
        Assert.Equal("first GET /api/v1/nodes", await http.GetStringAsync("api/v1/nodes"));

        await first.StopAsync();
        Assert.Equal("second GET /api/v1/nodes", await http.GetStringAsync("api/v1/nodes"));
        Assert.Equal("second GET /api/v1/tasks", await http.GetStringAsync("api/v1/tasks"));
        Assert.Equal(1, first.Requests);
        Assert.Equal(2, second.Requests);
        var moved = Assert.Single(logger.Messages, m => m.Contains("moving to", StringComparison.Ordinal));
        Assert.StartsWith($"Server {first.Url} failed", moved);
        Assert.EndsWith($"moving to {second.Url}", moved);
    }

    [Fact]
    public async Task A_503_sends_a_read_to_the_next_server_which_it_then_sticks_to()
    {
        await using var first = await FlakyServer.StartAsync("first");
        await using var second = await FlakyServer.StartAsync("second");
        using var http = ClientOf(first.Url, second.Url);
        first.Mode = FlakyMode.Unavailable;

        Assert.Equal("second GET /a", await http.GetStringAsync("a"));
        // The first answers again, but the client does not bounce back while the second keeps answering.
        first.Mode = FlakyMode.Healthy;
        Assert.Equal("second GET /b", await http.GetStringAsync("b"));
        Assert.Equal(1, first.Requests);
        Assert.Equal(2, second.Requests);
    }

    [Fact]
    public async Task A_write_to_a_server_that_refuses_the_connection_goes_to_the_next()
    {
        await using var live = await FlakyServer.StartAsync("live");
        using var http = ClientOf(FlakyServer.DeadUrl(), live.Url);
        using var response = await http.PostAsync("api/v1/tasks", new StringContent("{}"));
        Assert.Equal("live POST /api/v1/tasks", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, live.Requests);
    }

    [Fact]
    public async Task A_write_the_server_answered_with_503_is_not_sent_again()
    {
        await using var first = await FlakyServer.StartAsync("first");
        await using var second = await FlakyServer.StartAsync("second");
        using var http = ClientOf(first.Url, second.Url);
        first.Mode = FlakyMode.Unavailable;

        using var response = await http.PostAsync("api/v1/tasks", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, first.Requests);
        Assert.Equal(0, second.Requests);
    }

    [Fact]
    public async Task A_write_whose_connection_broke_after_sending_is_not_sent_again_but_a_read_is()
    {
        await using var first = await FlakyServer.StartAsync("first");
        await using var second = await FlakyServer.StartAsync("second");
        using var http = ClientOf(first.Url, second.Url);
        first.Mode = FlakyMode.CutOff;

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync("api/v1/tasks", new StringContent("{}")));
        Assert.Equal(0, second.Requests);

        Assert.Equal("second GET /api/v1/tasks", await http.GetStringAsync("api/v1/tasks"));
        Assert.Equal(1, second.Requests);
    }

    [Fact]
    public async Task A_read_a_frozen_server_takes_and_never_answers_goes_to_the_next_after_the_response_timeout()
    {
        await using var first = await FlakyServer.StartAsync("first");
        await using var second = await FlakyServer.StartAsync("second");
        var options = Quick with { ResponseTimeout = TimeSpan.FromMilliseconds(300) };
        var endpoints = new ServerEndpoints([first.Url, second.Url]);
        using var http = new HttpClient(ServerFailoverHandler.Create(endpoints, null, options)) { BaseAddress = endpoints.Primary };
        first.Mode = FlakyMode.Frozen;

        Assert.Equal("second GET /api/v1/tasks", await http.GetStringAsync("api/v1/tasks"));
        Assert.Equal(1, first.Requests);
        // And stays there: the next request does not wait on the frozen server again.
        Assert.Equal("second GET /api/v1/nodes", await http.GetStringAsync("api/v1/nodes"));
        Assert.Equal(1, first.Requests);
    }

    [Fact]
    public async Task With_every_server_dead_the_request_fails_after_trying_each()
    {
        using var http = ClientOf(FlakyServer.DeadUrl(), FlakyServer.DeadUrl());
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync("api/v1/nodes"));
        Assert.Equal(HttpRequestError.ConnectionError, ex.HttpRequestError);
    }

    [Fact]
    public async Task The_typed_client_reports_the_server_it_moved_to()
    {
        await using var live = await FlakyServer.StartAsync("live");
        var dead = FlakyServer.DeadUrl();
        using var client = new ChasClient(ServerEndpoints.Parse($"{dead},{live.Url}"), "token", failover: Quick);
        Assert.Equal(dead, client.Server);
        // The live server answers plain text where JSON is expected: what matters is that it was asked.
        await Assert.ThrowsAnyAsync<Exception>(() => client.ListNodesAsync());
        Assert.Equal(1, live.Requests);
        Assert.Equal(live.Url, client.Server);
        Assert.Equal(2, client.Servers.Count);
    }

    [Theory]
    [InlineData("http://a:8080", "http://a:8080/")]
    [InlineData("http://a:8080/, https://b:8443 ,http://a:8080", "http://a:8080/|https://b:8443/")]
    public void Endpoints_parse_a_comma_separated_list_without_repeats(string text, string expected)
    {
        var servers = ServerEndpoints.Parse(text);
        Assert.Equal(expected.Split('|'), servers.Select(s => s.ToString()));
        Assert.Equal(servers.ToString(), ServerEndpoints.Parse(servers.ToString()).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:8080")]
    [InlineData("http://a:8080,ftp://b")]
    public void Endpoints_refuse_what_is_not_an_http_url(string text)
    {
        Assert.False(ServerEndpoints.TryParse(text, out _, out var error));
        Assert.NotNull(error);
    }
}
