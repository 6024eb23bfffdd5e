using System.Diagnostics;
using System.Globalization;
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

    private readonly string _dataDir;
    private ChildProcess? _server;
    private BackendNode? _node;
    private ChildProcess? _ingress;

    private ChasIngress(string dataDir) => _dataDir = dataDir;

    public Uri Url { get; private set; } = null!;
    public TimeSpan CpuTime() => _ingress!.CpuTime();

    public static async Task<ChasIngress> StartAsync(BenchOptions options, int backendPort, HttpClient http, Action<string> progress, CancellationToken ct)
    {
        var chas = new ChasIngress(Directory.CreateTempSubdirectory("chas-bench-ingress-").FullName);
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
        var apiPort = Loopback.FreePort();
        var server = new Uri($"http://127.0.0.1:{apiPort}/");
        _server = ChildProcess.Start("chas server", options.ChasPath,
            ["server", "--data-dir", _dataDir, "--listen", "127.0.0.1", "--port", Invariant(apiPort), "--heartbeat-timeout", "60s"], options.Verbose);
        await _server.WaitForLineAsync("chas server listening", TimeSpan.FromSeconds(60), ct);
        // The server writes its tokens when its authentication first runs, not at start: one request does it.
        (await http.GetAsync(new Uri(server, "readyz"), ct)).EnsureSuccessStatusCode();
        var adminTokenFile = Path.Combine(_dataDir, "admin-token");
        var adminToken = (await File.ReadAllTextAsync(adminTokenFile, ct)).Trim();
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

        var port = Loopback.FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _ingress = ChildProcess.Start("chas ingress", options.ChasPath,
            ["ingress", "--server", server.ToString(), "--token-file", adminTokenFile, "--listen", "127.0.0.1", "--port", Invariant(port)], options.Verbose, options.IngressEnv);
        await _ingress.WaitForLineAsync("chas ingress listening", TimeSpan.FromSeconds(60), ct);
        await _ingress.WaitAsync(Loopback.WaitUntilServesBackendAsync(http, Url, Host, ct), $"to route {Host} to the backend", TimeSpan.FromSeconds(60), ct);
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

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_ingress is not null) await _ingress.DisposeAsync();
        if (_node is not null) await _node.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; it lives under the temporary directory.
        }
    }
}
