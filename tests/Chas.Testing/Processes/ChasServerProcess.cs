using System.Globalization;
using Chas.Client;

namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A real `chas server` (the control plane alone, no node of its own) on its own temp data directory
/// and API port on 127.0.0.1; nodes join it as <see cref="AgentProcess"/>es. Disposing it kills it,
/// removes every container its nodes created and deletes the temp directory.
/// </summary>
public sealed class ChasServerProcess : IControlPlane, IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private ChasProcess? _process;
    private ChasClient? _client;
    private ChasCli? _cli;
    private bool _disposed;

    private ChasServerProcess()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        TempDir = Path.Combine(Path.GetTempPath(), $"chas-e2e-server-{id}");
        Directory.CreateDirectory(TempDir);
        DataDir = Path.Combine(TempDir, "data");
        Port = PortRanges.FreeTcpPort();
        Url = new Uri($"http://127.0.0.1:{Port}/");
    }

    public string Description => $"chas server ({Url})";
    public string TempDir { get; }
    public string DataDir { get; }
    public int Port { get; }
    public Uri Url { get; }
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
    public static async Task<ChasServerProcess> StartAsync(params string[] extraArgs)
    {
        await BusyboxImage.EnsureImportedAsync();
        var server = new ChasServerProcess();
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
        var process = ChasProcess.Start(args, CliConfigPath, Log, "server");
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
            StartDeadline, $"chas server to answer readyz on {Url} and write its tokens", Diagnostics);
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(DataDir, "admin-token"))).Trim();
        NodeToken = (await File.ReadAllTextAsync(Path.Combine(DataDir, "node-token"))).Trim();
        _client = new ChasClient(Url, AdminToken);
        _cli = new ChasCli(Url, AdminToken, CliConfigPath);
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
        try
        {
            Directory.Delete(TempDir, recursive: true);
        }
        catch (IOException)
        {
            // Something still writes there; the OS cleans temp eventually.
        }
    }
}
