using Chas.Client;
using Chas.Contracts;
using Chas.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chas.Testing.InProcess;

/// <summary>
/// A real `chas server` on 127.0.0.1 with a random port and a temporary data directory; optionally on a clock of
/// the test's (a fake one, for tests of timeouts) and with options of its own.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private WebApplication _app = null!;
    private Action<IServiceCollection>? _services;
    private bool _stopped;

    public string DataDir { get; } = TempDirectory.NewPath("chas-server-tests-");
    public ServerOptions Options { get; private set; } = null!;
    public Uri Url { get; private set; } = null!;
    public ServerSecrets Secrets { get; private set; } = null!;
    public ChasClient Admin { get; private set; } = null!;
    public ChasClient Node { get; private set; } = null!;
    public HttpClient Http { get; } = new();

    /// <summary>The clock every timer and deadline of the server runs on.</summary>
    public TimeProvider Time { get; private set; } = TimeProvider.System;

    /// <param name="time">Replaces the server's clock (e.g. a FakeTimeProvider the test advances).</param>
    /// <param name="configure">Changes the options after the ones given here are set.</param>
    /// <param name="services">Registers services after the server's own, which they then replace: a lease store of the test's, or one store object shared by two servers (two servers on one database).</param>
    public static async Task<TestServer> StartAsync(TimeSpan? heartbeatTimeout = null, TimeSpan? pendingTimeout = null, string? dataDir = null,
        TimeProvider? time = null, Func<ServerOptions, ServerOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var server = dataDir is null ? new TestServer() : new TestServer(dataDir);
        var options = new ServerOptions
        {
            DataDir = server.DataDir,
            Urls = ["http://127.0.0.1:0"],
            HeartbeatTimeout = heartbeatTimeout ?? TimeSpan.FromSeconds(6),
            PendingTimeout = pendingTimeout ?? TimeSpan.FromMinutes(5),
        };
        server._services = services;
        await server.StartInternalAsync(configure is null ? options : configure(options), time);
        return server;
    }

    private TestServer() { }
    private TestServer(string dataDir) => DataDir = dataDir;

    private async Task StartInternalAsync(ServerOptions options, TimeProvider? time)
    {
        Options = options;
        if (time is not null) Time = time;
        _app = ChasServerApp.Build(Options, b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            // Registered after the server's own default, so it is the one every service gets.
            if (time is not null) b.Services.AddSingleton(time);
            _services?.Invoke(b.Services);
        });
        await _app.StartAsync();
        Url = new Uri(_app.Urls.First() + "/");
        Http.BaseAddress = Url;
        Secrets = ServerSecrets.LoadOrCreate(DataDir);
        Admin = new ChasClient(Url, Secrets.AdminToken);
        // Admins may act for any node, so tests that are not about node credentials drive many
        // hollow nodes through one client; NodeClient gives a node's own, narrower credential.
        Node = new ChasClient(Url, Secrets.AdminToken);
    }

    /// <summary>A client holding the node's own credential, as its agent would after joining.</summary>
    public ChasClient NodeClient(string node) => new(Url, Chas.Server.Auth.OpaqueTokens.NodeCredential(Secrets.NodeCredentialKey, node));

    /// <summary>Stops the server but keeps its data directory, and starts a new one on it.</summary>
    public async Task<TestServer> RestartAsync()
    {
        await StopAsync();
        var restarted = new TestServer(DataDir) { _services = _services };
        await restarted.StartInternalAsync(Options, Time == TimeProvider.System ? null : Time);
        return restarted;
    }

    /// <summary>
    /// Stops at once, cutting every open connection (watches included) as a server that died would; the data
    /// directory stays until <see cref="DisposeAsync"/>.
    /// </summary>
    public Task StopAbruptlyAsync() => StopAsync(new CancellationToken(canceled: true));

    private async Task StopAsync(CancellationToken ct = default)
    {
        if (_stopped) return;
        _stopped = true;
        Admin.Dispose();
        Node.Dispose();
        await _app.StopAsync(ct);
        await _app.DisposeAsync();
    }

    /// <summary>Registers a hollow node (no containers behind it) and makes it ready with one heartbeat.</summary>
    /// <summary>Registers the node (again, to change its labels) and heartbeats once.</summary>
    public async Task<NodeResource> AddReadyNodeAsync(string name, long cpuMillis = 4000, long memoryBytes = 8L << 30, PortRange? ports = null,
        IReadOnlyDictionary<string, string>? labels = null)
    {
        await Node.RegisterNodeAsync(new RegisterNodeRequest
        {
            Name = name,
            Labels = labels,
            Address = "127.0.0.1",
            AgentUrl = "http://127.0.0.1:1/",
            Capacity = new ResourceAmounts { CpuMillis = cpuMillis, MemoryBytes = memoryBytes },
            PortRange = ports ?? new PortRange(20000, 20009),
        });
        return await Node.HeartbeatAsync(name, new HeartbeatRequest());
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        TempDirectory.TryDelete(DataDir);
    }
}
