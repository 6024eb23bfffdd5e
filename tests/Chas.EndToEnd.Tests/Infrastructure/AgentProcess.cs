using System.Globalization;

namespace Chas.EndToEnd.Tests.Infrastructure;

/// <summary>
/// An extra `chas agent` joining a <see cref="ChasDevProcess"/>'s server with its node token: a second
/// node on the same Docker engine, with its own name, publish range and API port.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly ChasDevProcess _dev;
    private readonly string[] _extraArgs;
    private ChasProcess? _process;
    private string? _agentUrl;
    private int _incarnation;

    private AgentProcess(ChasDevProcess dev, string nodeName, string[] extraArgs)
    {
        _dev = dev;
        _extraArgs = extraArgs;
        NodeName = nodeName;
        PortRange = PortRanges.NextPublishRange();
    }

    public string NodeName { get; }
    public (int From, int To) PortRange { get; }

    /// <summary>Starts the agent and waits until its node is ready. The output lands in the dev's log, tagged with the node name.</summary>
    public static async Task<AgentProcess> StartAsync(ChasDevProcess dev, string nodeName, params string[] extraArgs)
    {
        dev.TrackNode(nodeName);
        var agent = new AgentProcess(dev, nodeName, extraArgs);
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
        _dev.Log.Append($"[test] killed agent {NodeName} (pid {_process.Id}) with SIGKILL");
        await _process.DisposeAsync();
        _process = null;
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
            "agent", "--server", _dev.Url.ToString(), "--token", _dev.NodeToken, "--name", NodeName, "--address", "127.0.0.1",
            "--port-range", string.Create(CultureInfo.InvariantCulture, $"{PortRange.From}-{PortRange.To}"), "--api-port", "0", .. _extraArgs,
        ];
        var process = ChasProcess.Start(args, _dev.CliConfigPath, _dev.Log, $"{NodeName}#{_incarnation}");
        _process = process;
        _agentUrl = (await NodeReadiness.WaitAsync(_dev.Client, NodeName, previousAgentUrl, () => process.HasExited, _dev.Diagnostics)).AgentUrl;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        _process = null;
        await DockerEngine.RemoveContainersOfNodeAsync(NodeName);
    }
}
