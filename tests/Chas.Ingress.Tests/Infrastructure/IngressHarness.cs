using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chas.Contracts;
using Chas.Ingress.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Chas.Ingress.Tests.Infrastructure;

/// <summary>
/// A real server, a <see cref="BackendAgent"/>, backends, and the ingress under test watching the
/// server — all in-process on 127.0.0.1.
/// </summary>
public sealed class IngressHarness : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly List<Backend> _backends = [];

    private IngressHarness(TestServer server, BackendAgent agent, WebApplication ingress, IngressOptions options, HttpClient client)
    {
        Server = server;
        Agent = agent;
        Ingress = ingress;
        Options = options;
        Client = client;
        Url = client.BaseAddress!;
    }

    public TestServer Server { get; }
    public BackendAgent Agent { get; }
    public WebApplication Ingress { get; }
    public IngressOptions Options { get; }
    public HttpClient Client { get; }
    public Uri Url { get; }

    /// <param name="tune">Changes to the ingress options (TLS, rate limit, ...).</param>
    /// <param name="handler">The client's handler (HTTPS tests trust their own certificate with it).</param>
    /// <param name="configure">More changes to the ingress's builder (a test's own services).</param>
    public static async Task<IngressHarness> StartAsync(Func<IngressOptions, IngressOptions>? tune = null, HttpMessageHandler? handler = null,
        Action<TestServer, WebApplicationBuilder>? configure = null)
    {
        var server = await TestServer.StartAsync();
        var agent = new BackendAgent(server);
        var options = new IngressOptions
        {
            Server = server.Url,
            Token = server.Secrets.AdminToken,
            ListenAddress = "127.0.0.1",
            Port = 0,
        };
        options = tune?.Invoke(options) ?? options;
        var ingress = IngressApp.Build(options, b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            configure?.Invoke(server, b);
        });
        await ingress.StartAsync();
        var client = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri(ingress.Urls.First() + "/"),
            Timeout = TimeSpan.FromSeconds(10),
        };
        var harness = new IngressHarness(server, agent, ingress, options, client);
        await Eventually.WaitAsync(() => harness.Client.GetAsync("healthz"), r => r.StatusCode == HttpStatusCode.OK, "the ingress's first list");
        return harness;
    }

    /// <summary>Starts <paramref name="count"/> backends named pool-1.., each behind its own node labelled pool=<paramref name="pool"/>.</summary>
    public async Task<IReadOnlyList<Backend>> AddBackendsAsync(string pool, int count)
    {
        var added = new List<Backend>();
        for (var i = 1; i <= count; i++)
        {
            var backend = await Backend.StartAsync($"{pool}-{i}");
            _backends.Add(backend);
            added.Add(backend);
            await Agent.AddNodeAsync(backend.Name, backend.Port, pool);
        }
        return added;
    }

    public Task<DeploymentResource> DeployAsync(string name, string pool, int replicas, IngressSpec? ingress = null) =>
        Server.Admin.ApplyDeploymentAsync(new ApplyDeploymentRequest
        {
            Name = name,
            Image = "backend:1",
            Replicas = replicas,
            CpuMillis = 100,
            Ports = [new PortMapping { ContainerPort = 8080 }],
            NodeSelector = new Dictionary<string, string> { ["pool"] = pool },
            Ingress = ingress,
        });

    /// <summary>Waits until YARP routes host+path to exactly this many destinations, and (when some) a request gets through.</summary>
    public async Task WaitForDestinationsAsync(string host, int count, string path = "/")
    {
        await Eventually.WaitAsync(StatsAsync,
            s => s.Routes.Any(r => r.Host == host && r.Path == path && r.Destinations == count && r.Available == count),
            $"{count} destinations for {host}{path}", TimeSpan.FromSeconds(15));
        if (count > 0)
            await Eventually.WaitAsync(() => GetAsync(host, path), r => r.Status == HttpStatusCode.OK, $"a request to {host}{path} to get through");
    }

    public async Task<IngressStats> StatsAsync() =>
        (await Client.GetFromJsonAsync<IngressStats>("ingress/v1/stats", Json))!;

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string host, string path = "/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Host = host;
        using var response = await Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends <paramref name="requests"/> GETs, <paramref name="parallel"/> at a time, and counts the answers by body.</summary>
    public async Task<Dictionary<string, int>> SpreadAsync(string host, int requests, int parallel = 1)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                var (status, body) = await GetAsync(host);
                var key = status == HttpStatusCode.OK ? body : $"{(int)status}";
                lock (counts) counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }));
        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Ingress.StopAsync();
        await Ingress.DisposeAsync();
        await Agent.DisposeAsync();
        foreach (var backend in _backends) await backend.DisposeAsync();
        await Server.DisposeAsync();
    }
}
