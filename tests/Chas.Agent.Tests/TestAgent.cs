using Chas.Contracts;
using Chas.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chas.Agent.Tests;

/// <summary>
/// The real agent (node "n1") over a fake engine, against a test server (and, given, further servers of its
/// cluster), with fast timings; start and stop at will.
/// </summary>
public sealed class TestAgent(TestServer server, FakeContainerRuntime runtime, IReadOnlyList<Uri>? otherServers = null) : IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync()
    {
        _app = AgentApp.Build(new AgentOptions
        {
            Server = server.Url,
            OtherServers = otherServers ?? [],
            Token = server.Secrets.NodeToken,
            NodeName = "n1",
            Address = "127.0.0.1",
            ApiPort = 0,
            HeartbeatInterval = TimeSpan.FromMilliseconds(200),
            StopGracePeriod = TimeSpan.FromSeconds(1),
            RestartBackoffInitial = TimeSpan.FromMilliseconds(50),
            RestartBackoffMax = TimeSpan.FromMilliseconds(400),
        }, s => s.AddSingleton<IContainerRuntime>(runtime), b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await _app.StartAsync();
        await Eventually.WaitAsync(() => server.Admin.ListNodesAsync(), l => l.Items.Any(n => n.Name == "n1" && n.Status == NodeStatus.Ready), "node n1 ready");
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
