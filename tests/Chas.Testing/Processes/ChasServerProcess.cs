using System.Globalization;
using Chas.Client;

namespace Chas.Testing.Processes;

/// <summary>What differs between the `chas server`s that tests and benches start; the defaults are the tests'.</summary>
public sealed record ChasServerSettings
{
    /// <summary>Imports <see cref="BusyboxImage.Reference"/> first, for the agents that join it; hollow-node benches need no engine.</summary>
    public bool ImportBusybox { get; init; } = true;

    /// <summary>How long it may take to answer readyz and write its tokens.</summary>
    public TimeSpan StartDeadline { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The temp directory's name before its random part.</summary>
    public string TempPrefix { get; init; } = "chas-e2e-server-";

    public ChasProcessOptions Process { get; init; } = new();

    /// <summary>What its output lines are tagged with (several servers of one cluster print into one test output).</summary>
    public string Label { get; init; } = "server";
}

/// <summary>
/// A real `chas server` (the control plane alone, no node of its own) on its own temp data directory
/// and API port on 127.0.0.1; nodes join it as <see cref="AgentProcess"/>es. Disposing it kills it,
/// removes every container its nodes created and deletes the temp directory.
/// </summary>
public sealed class ChasServerProcess : IControlPlane, IAsyncDisposable
{
    private readonly ChasServerSettings _settings;
    private readonly TempDirectory _temp;
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private ChildProcess? _process;
    private ChasClient? _client;
    private ChasCli? _cli;
    private bool _disposed;

    private ChasServerProcess(ChasServerSettings settings)
    {
        _settings = settings;
        _temp = TempDirectory.Create(settings.TempPrefix);
        TempDir = _temp.Path;
        DataDir = Path.Combine(TempDir, "data");
        Port = PortRanges.FreeTcpPort();
        Url = new Uri($"http://127.0.0.1:{Port}/");
    }

    public string Description => $"chas server ({Url})";
    public string TempDir { get; }
    public string DataDir { get; }
    public int Port { get; }
    public Uri Url { get; }

    /// <summary>The process id (a bench samples its CPU and memory).</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException("chas server is not started");

    public string AdminToken { get; private set; } = "";
    public string NodeToken { get; private set; } = "";
    public OutputLog Log { get; } = new();
    public ChasClient Client => _client ?? throw new InvalidOperationException("chas server is not started");
    public ChasCli Cli => _cli ?? throw new InvalidOperationException("chas server is not started");
    public string CliConfigPath => Path.Combine(TempDir, "cli-config.json");

    public string Diagnostics() => $"--- chas server output ({Url}) ---\n{Log.Tail()}";

    public void TrackNode(string nodeName)
    {
        lock (_nodeNames) _nodeNames.Add(nodeName);
    }

    /// <summary>Starts `chas server` with <paramref name="extraArgs"/> added, and waits until it answers and has written its tokens.</summary>
    public static Task<ChasServerProcess> StartAsync(params string[] extraArgs) => StartAsync(new ChasServerSettings(), extraArgs);

    /// <summary>Like <see cref="StartAsync(string[])"/>, with what differs for a bench (executable, output echo, no image).</summary>
    public static async Task<ChasServerProcess> StartAsync(ChasServerSettings settings, params string[] extraArgs)
    {
        if (settings.ImportBusybox) await BusyboxImage.EnsureImportedAsync();
        var server = new ChasServerProcess(settings);
        try
        {
            await server.LaunchAsync(extraArgs);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private async Task LaunchAsync(string[] extraArgs)
    {
        string[] args =
        [
            "server", "--data-dir", DataDir, "--listen", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), .. extraArgs,
        ];
        var process = ChasProcess.Start(args, CliConfigPath, Log, _settings.Label, _settings.Process);
        _process = process;

        // `chas server` writes its tokens when its authentication first runs, not when it starts (although it
        // prints that the node token is there): an anonymous readyz, which goes through authentication, makes it write them.
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.WaitAsync(
            async () =>
            {
                if (process.HasExited) throw new GiveUpException($"chas server exited with code {process.ExitCode} while starting\n{Diagnostics()}");
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative));
                return response.IsSuccessStatusCode && File.Exists(Path.Combine(DataDir, "admin-token")) && File.Exists(Path.Combine(DataDir, "node-token"));
            },
            _settings.StartDeadline, $"chas server to answer readyz on {Url} and write its tokens", Diagnostics);
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(DataDir, "admin-token"))).Trim();
        NodeToken = (await File.ReadAllTextAsync(Path.Combine(DataDir, "node-token"))).Trim();
        _client = new ChasClient(Url, AdminToken);
        _cli = new ChasCli(Url, AdminToken, CliConfigPath);
    }

    /// <summary>
    /// SIGTERM, as an operator stopping the service: it releases its leases and exits. The data directory stays,
    /// for a tool that works on it (`chas admin migrate`); disposing still deletes it.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        await _process.StopAsync(TimeSpan.FromSeconds(20));
        Log.Append("[test] stopped chas server with SIGTERM");
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>Whether the process has exited (killed, or crashed on its own).</summary>
    public bool HasExited => _process?.HasExited ?? true;

    /// <summary>SIGKILL, as a crash would end it: no shutdown code runs, its leases are left to expire.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        await _process.KillAsync();
        Log.Append($"[test] killed {_settings.Label} (pid {_process.Id}) with SIGKILL");
    }

    /// <summary>SIGSTOP: the server freezes mid-work (a partition, a long pause) and answers nothing until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        var process = _process ?? throw new InvalidOperationException("chas server is not started");
        process.Pause();
        Log.Append($"[test] paused {_settings.Label} (pid {process.Id}) with SIGSTOP");
    }

    /// <summary>SIGCONT: a paused server runs on from where it stopped.</summary>
    public void Resume()
    {
        var process = _process ?? throw new InvalidOperationException("chas server is not started");
        process.Resume();
        Log.Append($"[test] resumed {_settings.Label} (pid {process.Id}) with SIGCONT");
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_process is not null) await _process.DisposeAsync();
        _process = null;
        _client?.Dispose();
        string[] nodes;
        lock (_nodeNames) nodes = [.. _nodeNames];
        foreach (var node in nodes) await DockerEngine.RemoveContainersOfNodeAsync(node);
        _temp.Dispose();
    }
}
