using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Chas.Client;
using Chas.Contracts;
using Chas.EndToEnd.Tests.Infrastructure;

namespace Chas.EndToEnd.Tests;

/// <summary>`chas dev --ha 3`: three servers in one process on a local PostgreSQL, one leader, and tasks run as with one.</summary>
public sealed class HighAvailabilityDevTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static readonly TimeSpan ElectionDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Three_servers_answer_exactly_one_leads_and_a_task_runs()
    {
        var dev = await StartDevAsync("--ha", "3");
        var urls = Enumerable.Range(0, 3).Select(i => new Uri($"http://127.0.0.1:{(dev.Port + i).ToString(CultureInfo.InvariantCulture)}/")).ToList();

        using var http = new HttpClient();
        var statuses = await Eventually.GetAsync(
            async () => await Task.WhenAll(urls.Select(url => LeadershipAsync(http, url, dev.AdminToken))),
            all => all.Count(s => s.IsLeader) == 1 && all.All(s => s.Leader == all.Single(l => l.IsLeader).ServerId),
            ElectionDeadline, "one of the three servers to lead and the others to follow it", dev.Diagnostics);
        Assert.Equal(3, statuses.Select(s => s.ServerId).Distinct(StringComparer.Ordinal).Count());

        await dev.RunTaskAsync("hello", ["echo", "hi"]);
        await dev.WaitForStatusAsync("hello", TaskPhase.Completed);
        // The same state through the last server: one database behind all three.
        using var third = new ChasClient(urls[2], dev.AdminToken);
        var task = await third.GetTaskAsync("hello");
        Assert.Equal(0, task.ExitCode);
        Assert.Equal(dev.NodeName, task.Node);
        Assert.True(File.Exists(Path.Combine(dev.DataDir, "postgres", "data", "PG_VERSION")), "the cluster lives in <data-dir>/postgres");
    }

    private static async Task<LeadershipStatus> LeadershipAsync(HttpClient http, Uri server, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, "api/v1/leadership"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), ChasJsonContext.Default.LeadershipStatus)!;
    }
}
