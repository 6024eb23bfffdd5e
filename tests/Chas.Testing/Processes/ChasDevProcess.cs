using System.Globalization;
using Chas.Client;
using Chas.Store.Postgres;

namespace Chas.Testing.Processes;

/// <summary>What differs between the `chas dev`s that tests and benches start; the defaults are the tests'.</summary>
public sealed record ChasDevSettings
{
    /// <summary>The node's name; null makes one up (<c>e2e-</c> and 8 hex digits).</summary>
    public string? NodeName { get; init; }

    /// <summary>The host ports its node publishes from; null lends a block of <see cref="PortRanges"/>.</summary>
    public (int From, int To)? PortRange { get; init; }

    /// <summary>Imports <see cref="BusyboxImage.Reference"/> first, which every test task runs.</summary>
    public bool ImportBusybox { get; init; } = true;

    /// <summary>Removes the containers of its nodes on dispose (a bench removes them by label itself).</summary>
    public bool RemoveContainersOnDispose { get; init; } = true;

    /// <summary>How long it may take to write its tokens and have its node ready.</summary>
    public TimeSpan StartDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The temp directory's name before its random part.</summary>
    public string TempPrefix { get; init; } = "chas-e2e-";

    public ChasProcessOptions Process { get; init; } = new();
}

/// <summary>
/// A real `chas dev` (server and built-in agent in one process) on its own temp data directory, API
/// port, node name and publish range. It can be killed like a crash and started again on the same
/// data; disposing it kills it, removes every container its nodes created and deletes the temp directory.
/// With <c>--ha N</c> it runs N servers on --port and the ports after it, on a PostgreSQL in the data
/// directory, which disposing stops too (a killed `chas dev` leaves it running).
/// </summary>
public sealed class ChasDevProcess : IControlPlane, IAsyncDisposable
{
    private readonly string[] _extraArgs;
    private readonly ChasDevSettings _settings;
    private readonly TempDirectory _temp;
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly string _tokenDirectory;
    private ChildProcess? _process;
    private ChasClient? _client;
    private ChasCli? _cli;
    private int _incarnation;
    private string? _agentUrl;
    private bool _disposed;

    private ChasDevProcess(string[] extraArgs, bool withIngress, ChasDevSettings settings)
    {
        _extraArgs = extraArgs;
        _settings = settings;
        IngressPort = withIngress ? PortRanges.FreeTcpPort() : 0;
        _temp = TempDirectory.Create(settings.TempPrefix);
        TempDir = _temp.Path;
        DataDir = Path.Combine(TempDir, "data");
        NodeName = settings.NodeName ?? $"e2e-{Path.GetFileName(TempDir)[^8..]}";
        Port = PortRanges.FreeTcpPort();
        PortRange = settings.PortRange ?? PortRanges.NextPublishRange();
        // With --tls the API is https, signed by the server's own CA (see TlsDir).
        Url = new Uri($"{(extraArgs.Contains("--tls") ? "https" : "http")}://127.0.0.1:{Port}/");
        // With --ha every server has a data directory of its own (server-1 …); the first one's tokens are the cluster's.
        _tokenDirectory = extraArgs.Contains("--ha") ? Path.Combine(DataDir, "server-1") : DataDir;
        _nodeNames.Add(NodeName);
    }

    public string TempDir { get; }
    public string DataDir { get; }
    public string NodeName { get; }
    public int Port { get; }
    public (int From, int To) PortRange { get; }
    public Uri Url { get; }
    /// <summary>The port of the built-in ingress on 127.0.0.1; 0 when it was started without one.</summary>
    public int IngressPort { get; }
    public string AdminToken { get; private set; } = "";
    public string NodeToken { get; private set; } = "";
    public OutputLog Log { get; } = new();
    public string Description => $"chas dev {NodeName} ({Url})";

    /// <summary>The typed API client, with the admin token.</summary>
    public ChasClient Client => _client ?? throw new InvalidOperationException("chas dev is not started");

    /// <summary>The `chas` CLI, pointed at this server with the admin token.</summary>
    public ChasCli Cli => _cli ?? throw new InvalidOperationException("chas dev is not started");

    /// <summary>Where CLI processes started for this server keep their (unused) configuration.</summary>
    public string CliConfigPath => Path.Combine(TempDir, "cli-config.json");

    /// <summary>The output of every incarnation so far, for failure messages.</summary>
    public string Diagnostics() => $"--- chas dev output ({NodeName}) ---\n{Log.Tail()}";

    /// <summary>Starts `chas dev` with <paramref name="extraArgs"/> added, and waits until its node is ready.</summary>
    public static Task<ChasDevProcess> StartAsync(params string[] extraArgs) => StartNewAsync(withIngress: false, new ChasDevSettings(), extraArgs);

    /// <summary>Like <see cref="StartAsync(string[])"/>, with what differs for a bench (executable, node name, port range).</summary>
    public static Task<ChasDevProcess> StartAsync(ChasDevSettings settings, params string[] extraArgs) => StartNewAsync(withIngress: false, settings, extraArgs);

    /// <summary>
    /// Starts `chas dev` with its ingress on a free port (<see cref="IngressPort"/>), and waits until its node
    /// is ready and the ingress answers its health check (it has listed the cluster once).
    /// </summary>
    public static Task<ChasDevProcess> StartWithIngressAsync(params string[] extraArgs) => StartNewAsync(withIngress: true, new ChasDevSettings(), extraArgs);

    private static async Task<ChasDevProcess> StartNewAsync(bool withIngress, ChasDevSettings settings, string[] extraArgs)
    {
        if (settings.ImportBusybox) await BusyboxImage.EnsureImportedAsync();
        var dev = new ChasDevProcess(extraArgs, withIngress, settings);
        try
        {
            await dev.LaunchAsync(previousAgentUrl: null);
            if (withIngress) await IngressHealth.WaitAsync(new Uri($"http://127.0.0.1:{dev.IngressPort}/"), dev.Diagnostics);
        }
        catch
        {
            await dev.DisposeAsync();
            throw;
        }
        return dev;
    }

    /// <summary>SIGKILL: the server and agent die mid-work, their containers keep running in the engine.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        await _process.KillAsync();
        Log.Append($"[test] killed chas dev (pid {_process.Id}) with SIGKILL");
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>Starts `chas dev` again on the same data directory and port, and waits until its agent has rejoined.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        await LaunchAsync(_agentUrl);
    }

    /// <summary>Another agent joined this server: its containers are cleaned up with ours.</summary>
    public void TrackNode(string nodeName)
    {
        lock (_nodeNames) _nodeNames.Add(nodeName);
    }

    private async Task LaunchAsync(string? previousAgentUrl)
    {
        _incarnation++;
        string[] args =
        [
            "dev", "--data-dir", DataDir, "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--no-config", "--ingress-port", IngressPort.ToString(CultureInfo.InvariantCulture), "--node-name", NodeName, "--port-range", $"{PortRange.From}-{PortRange.To}", .. _extraArgs,
        ];
        var process = ChasProcess.Start(args, CliConfigPath, Log, $"dev#{_incarnation}", _settings.Process);
        _process = process;

        AdminToken = await ReadDataFileAsync("admin-token", process);
        NodeToken = await ReadDataFileAsync("node-token", process);
        // The CA is written when the server sets up its listener, which may come after the tokens.
        _client ??= new ChasClient(Url, AdminToken, Url.Scheme == Uri.UriSchemeHttps
            ? ChasClientTls.TrustingCa(await ReadDataFileAsync(Path.Combine("tls", "ca.crt"), process))
            : null);
        _cli ??= new ChasCli(Url, AdminToken, CliConfigPath);
        _agentUrl = (await NodeReadiness.WaitAsync(Client, NodeName, previousAgentUrl, () => process.HasExited, Diagnostics, _settings.StartDeadline)).AgentUrl;
    }

    /// <summary>A file chas dev writes into its data directory (tokens, the CA), trimmed, once it is there.</summary>
    private async Task<string> ReadDataFileAsync(string file, ChildProcess process)
    {
        var path = Path.Combine(_tokenDirectory, file);
        return await Eventually.GetAsync(
            async () =>
            {
                if (process.HasExited) throw new GiveUpException($"chas dev exited with code {process.ExitCode} while starting\n{Diagnostics()}");
                return File.Exists(path) ? (await File.ReadAllTextAsync(path)).Trim() : "";
            },
            token => token.Length > 0, _settings.StartDeadline, $"chas dev to write {path}", Diagnostics);
    }

    /// <summary>The PostgreSQL of `--ha` outlives a killed `chas dev`: stop it before its directory goes.</summary>
    private async Task StopLeftoverPostgresAsync()
    {
        var directory = Path.Combine(DataDir, "postgres");
        if (!Directory.Exists(directory) || LocalPostgres.FindBinDirectory() is null) return;
        // The port is only used to start it, which this never does.
        await using var postgres = LocalPostgres.Create(directory, port: 1);
        await postgres.StopIfRunningAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_process is not null) await _process.DisposeAsync();
        _process = null;
        _client?.Dispose();
        await StopLeftoverPostgresAsync();
        string[] nodes;
        lock (_nodeNames) nodes = [.. _nodeNames];
        if (_settings.RemoveContainersOnDispose)
        {
            foreach (var node in nodes) await DockerEngine.RemoveContainersOfNodeAsync(node);
        }
        if (_settings.PortRange is null) PortRanges.Release(PortRange);
        _temp.Dispose();
    }
}
