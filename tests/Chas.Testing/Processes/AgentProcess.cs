using System.Globalization;

namespace Chas.Testing.Processes;

/// <summary>
/// An extra `chas agent` joining a <see cref="ChasDevProcess"/>'s or <see cref="ChasServerProcess"/>'s server
/// with its node token: another node on the same Docker engine, with its own name, publish range and API port.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly IControlPlane _server;
    private readonly string[] _extraArgs;
    private ChildProcess? _process;
    private string? _agentUrl;
    private int _incarnation;
    private bool _disposed;

    private AgentProcess(IControlPlane server, string nodeName, string[] extraArgs)
    {
        _server = server;
        _extraArgs = extraArgs;
        NodeName = nodeName;
        PortRange = PortRanges.NextPublishRange();
    }

    public string NodeName { get; }
    public (int From, int To) PortRange { get; }

    /// <summary>Starts the agent and waits until its node is ready. The output lands in the server's log, tagged with the node name.</summary>
    public static async Task<AgentProcess> StartAsync(IControlPlane server, string nodeName, params string[] extraArgs)
    {
        server.TrackNode(nodeName);
        var agent = new AgentProcess(server, nodeName, extraArgs);
        try
        {
            await agent.LaunchAsync(previousAgentUrl: null);
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
        return agent;
    }

    /// <summary>SIGKILL: the node falls silent; its containers keep running in the engine.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        await _process.KillAsync();
        _server.Log.Append($"[test] killed agent {NodeName} (pid {_process.Id}) with SIGKILL");
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>SIGSTOP: the node falls silent as in a partition, its containers running on; <see cref="Resume"/> ends it.</summary>
    public void Pause()
    {
        var process = _process ?? throw new InvalidOperationException($"agent {NodeName} is not running");
        process.Pause();
        _server.Log.Append($"[test] paused agent {NodeName} (pid {process.Id}) with SIGSTOP");
    }

    /// <summary>SIGCONT: a paused agent runs on from where it stopped, with what it believed then.</summary>
    public void Resume()
    {
        var process = _process ?? throw new InvalidOperationException($"agent {NodeName} is not running");
        process.Resume();
        _server.Log.Append($"[test] resumed agent {NodeName} (pid {process.Id}) with SIGCONT");
    }

    /// <summary>Starts the agent again under the same name and waits until its node is ready again.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        await LaunchAsync(_agentUrl);
    }

    private async Task LaunchAsync(string? previousAgentUrl)
    {
        _incarnation++;
        string[] args =
        [
            "agent", "--server", _server.ServerArgument, "--token", _server.NodeToken, "--name", NodeName, "--address", "127.0.0.1",
            "--port-range", string.Create(CultureInfo.InvariantCulture, $"{PortRange.From}-{PortRange.To}"), "--api-port", "0", .. _extraArgs,
        ];
        var process = ChasProcess.Start(args, _server.CliConfigPath, _server.Log, $"{NodeName}#{_incarnation}");
        _process = process;
        _agentUrl = (await NodeReadiness.WaitAsync(_server.Client, NodeName, previousAgentUrl, () => process.HasExited, _server.Diagnostics)).AgentUrl;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_process is not null) await _process.DisposeAsync();
        _process = null;
        await DockerEngine.RemoveContainersOfNodeAsync(NodeName);
        PortRanges.Release(PortRange);
    }
}
