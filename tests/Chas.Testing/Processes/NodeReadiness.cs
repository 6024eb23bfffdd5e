using Chas.Client;
using Chas.Contracts;

namespace Chas.Testing.Processes;

/// <summary>
/// When an agent that was just (re)started is really at work. A fresh node is ready only after its
/// first heartbeat, and the agent heartbeats only after it has reconciled what the engine runs. A
/// restarted node may still be stored as ready from before, so there the wait is for a re-registration
/// (a new agent URL, since the agent API port is picked anew) followed by a heartbeat.
/// </summary>
public static class NodeReadiness
{
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);

    public static Task<NodeResource> WaitAsync(ChasClient client, string node, string? previousAgentUrl,
        Func<bool> processExited, Func<string> diagnostics, TimeSpan? deadline = null)
    {
        DateTimeOffset? firstHeartbeatSeen = null;
        return Eventually.GetAsync(
            async () =>
            {
                if (processExited()) throw new GiveUpException($"the process running node '{node}' exited\n{diagnostics()}");
                return await client.GetNodeAsync(node);
            },
            n =>
            {
                if (n.Status != NodeStatus.Ready || n.AgentUrl == previousAgentUrl) return false;
                if (previousAgentUrl is null) return true;
                firstHeartbeatSeen ??= n.LastHeartbeat;
                return n.LastHeartbeat != firstHeartbeatSeen;
            },
            deadline ?? StartDeadline, $"node '{node}' to be ready", diagnostics);
    }
}
