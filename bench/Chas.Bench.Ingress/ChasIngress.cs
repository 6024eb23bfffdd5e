using System.Diagnostics;
using Chas.Client;
using Chas.Contracts;

namespace Chas.Bench.Ingress;

/// <summary>
/// The CHaS side, as an operator runs it: `chas server` on a temporary data directory, a hollow node whose one
/// port is the backend's (<see cref="BackendNode"/>), a deployment of one replica publishing container port 8080,
/// and `chas ingress` as a process of its own (as nginx is) that watches the server and routes
/// <see cref="Host"/> to the instance's published address — the backend.
/// </summary>
internal sealed class ChasIngress : IAsyncDisposable
{
    public const string Deployment = "bench";
    public const string Host = $"{Deployment}.{Namespaces.Default}.{ServiceCatalog.DefaultDomain}";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly OutputLog _log = new();
    private ChasServerProcess? _server;
    private BackendNode? _node;
    private IngressProcess? _ingress;

    private ChasIngress()
    {
    }

    public Uri Url => _ingress?.Url ?? throw new InvalidOperationException("chas ingress is not started");
    public TimeSpan CpuTime() => ProcessCpu.OfTree(_ingress!.Process.Id);

    public static async Task<ChasIngress> StartAsync(BenchOptions options, int backendPort, HttpClient http, Action<string> progress, CancellationToken ct)
    {
        var chas = new ChasIngress();
        try
        {
            await chas.StartPartsAsync(options, backendPort, http, progress, ct);
            return chas;
        }
        catch
        {
            await chas.DisposeAsync();
            throw;
        }
    }

    private async Task StartPartsAsync(BenchOptions options, int backendPort, HttpClient http, Action<string> progress, CancellationToken ct)
    {
        await EnsureIngressCommandAsync(options.ChasPath, ct);
        // The heartbeat timeout is long because heartbeats are not what this measures: with wrk keeping every core
        // busy, a late heartbeat must not take the instance out of the route in the middle of a measurement.
        // SIGTERM on dispose: chas shuts down as on Ctrl-C, as it did when an operator stops it.
        var chas = new ChasProcessOptions { Executable = options.ChasPath, Echo = options.Verbose, StopGrace = TimeSpan.FromSeconds(5) };
        _server = await ChasServerProcess.StartAsync(new ChasServerSettings
        {
            ImportBusybox = false,
            StartDeadline = StartTimeout,
            TempPrefix = "chas-bench-ingress-",
            Process = chas,
        }, "--heartbeat-timeout", "60s");
        var server = _server.Url;
        var adminToken = _server.AdminToken;
        progress($"chas server up at {server}");

        // The admin token: the server lets it do what an agent does (join, heartbeat, report), so the hollow node
        // needs no join-then-credential dance of its own; the join token alone may no longer report.
        _node = await BackendNode.RegisterAsync(server, adminToken, "bench-backend", backendPort, ct);
        using (var admin = new ChasClient(server, adminToken))
        {
            await admin.ApplyDeploymentAsync(new ApplyDeploymentRequest
            {
                Name = Deployment,
                Image = "chas-bench/backend:1", // never pulled: the hollow node runs nothing
                Replicas = 1,
                CpuMillis = 100,
                MemoryBytes = 64L << 20,
                Ports = [new PortMapping { ContainerPort = 8080 }],
            }, ct);
        }

        // Ready once /healthz answers (it has listed the cluster), and then routing to the backend.
        _ingress = await IngressProcess.StartAsync(_server, _log, chas with { Environment = options.IngressEnv }, tls: false, acceptCertificate: null);
        await _ingress.Process.WaitAsync(Loopback.WaitUntilServesBackendAsync(http, Url, Host, ct), $"to route {Host} to the backend", StartTimeout, ct);
    }

    /// <summary>An older build of `chas` has no `ingress` command; say so instead of failing later with its usage text.</summary>
    private static async Task EnsureIngressCommandAsync(string chasPath, CancellationToken ct)
    {
        var start = new ProcessStartInfo(chasPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("ingress");
        start.ArgumentList.Add("--help");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{chasPath} did not start");
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(ct), process.StandardError.ReadToEndAsync(ct));
        await process.WaitForExitAsync(ct);
        await output;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{chasPath} has no `ingress` command (an older build?); rebuild it with ./run.sh build, or pass --chas PATH");
    }

    public async ValueTask DisposeAsync()
    {
        if (_ingress is not null) await _ingress.DisposeAsync();
        if (_node is not null) await _node.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
    }
}
