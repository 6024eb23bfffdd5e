using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Threading.Channels;
using Chas.Client;
using Chas.Contracts;
using Chas.Server.Api;

namespace Chas.Server.Tests;

/// <summary>
/// The server's timeouts run on the injected clock: each test advances a fake clock past a timeout
/// and sees its effect far sooner than the timeout itself would take in real time.
/// </summary>
public sealed class ServerClockTests
{
    [Fact]
    public async Task A_rollout_past_its_progress_deadline_fails_on_the_servers_clock()
    {
        await using var server = await FakeClockServer.StartAsync();
        // No node: the instance never starts, so only the deadline can end the rollout.
        var applied = await server.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest { Name = "web", Image = "web:1", Replicas = 1, ProgressDeadlineSeconds = 60 });
        Assert.Equal(RolloutStates.Progressing, applied.RolloutStatus);

        // A minute of fake time, five seconds a probe: the real clock gives the test 10 s.
        var failed = await server.AdvanceUntilAsync(TimeSpan.FromSeconds(5), () => server.Admin.GetDeploymentAsync("web"),
            d => d.RolloutStatus == RolloutStates.Failed, "the rollout to fail at its deadline");
        Assert.Equal("revision 1: 0/1 new instances ready after 60s; old instances keep serving", failed.RolloutMessage);
        Assert.True(server.Time.GetUtcNow() - applied.RolloutStartedAt > TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_silent_watch_gets_a_bookmark_after_an_interval_of_the_servers_clock()
    {
        await using var server = await FakeClockServer.StartAsync();
        var revision = (await server.Admin.ListTasksAsync()).Revision;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/watch?kind=tasks&since={revision}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.Secrets.AdminToken);
        using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reading = new CancellationTokenSource();
        var lines = Channel.CreateUnbounded<string>();
        var reader = ReadLinesAsync(await response.Content.ReadAsStreamAsync(), lines.Writer, reading.Token);

        var seen = new List<string>();
        // The real interval is 10 s; the bookmark must come well before that, from fake time alone.
        await server.AdvanceUntilAsync(WatchApi.BookmarkInterval, () =>
        {
            while (lines.Reader.TryRead(out var line)) seen.Add(line);
            return Task.FromResult(seen);
        }, s => s.Any(IsBookmark), "a bookmark", TimeSpan.FromSeconds(5));
        var bookmark = seen.First(IsBookmark);
        Assert.True(long.Parse(bookmark.TrimEnd('}').Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture) >= revision, bookmark);
        await reading.CancelAsync();
        response.Dispose();
        await reader;
    }

    [Fact]
    public async Task A_node_whose_agent_never_answers_times_out_on_the_servers_clock()
    {
        await using var server = await FakeClockServer.StartAsync();
        // Accepts connections and never answers a byte.
        using var silentAgent = new TcpListener(IPAddress.Loopback, 0);
        silentAgent.Start();
        var accepted = silentAgent.AcceptTcpClientAsync();
        await server.Admin.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = "mute", Address = "127.0.0.1", AgentUrl = $"http://127.0.0.1:{((IPEndPoint)silentAgent.LocalEndpoint).Port}/",
            Capacity = new ResourceAmounts { CpuMillis = 1000, MemoryBytes = 1L << 30 }, PortRange = new PortRange(20000, 20009),
        });
        // The server's cache learns of the node a moment after the store does: until then the node is unknown.
        Task<StatsSeries> stats;
        do
        {
            stats = server.Admin.GetNodeStatsAsync("mute");
            await Task.WhenAny(stats, accepted).WaitAsync(TimeSpan.FromSeconds(10));
        }
        while (stats.Exception?.InnerException is ChasApiException { Status: HttpStatusCode.NotFound });
        using var connection = await accepted.WaitAsync(TimeSpan.FromSeconds(10));

        // Well before the real 2 s: only the fake clock can end the call in time.
        var answered = await server.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => Task.FromResult(stats), s => s.IsCompleted, "the agent call to time out",
            TimeSpan.FromSeconds(1.5));
        var series = await answered;
        Assert.Equal("node 'mute' is unreachable: no answer within 2 s", series.Error);
    }

    private static bool IsBookmark(string line) => line.StartsWith("data: {\"type\":\"bookmark\",\"revision\":", StringComparison.Ordinal);

    private static async Task ReadLinesAsync(Stream stream, ChannelWriter<string> lines, CancellationToken ct)
    {
        using var text = new StreamReader(stream);
        try
        {
            while (await text.ReadLineAsync(ct) is { } line) lines.TryWrite(line);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The test is done with the stream.
        }
    }
}
