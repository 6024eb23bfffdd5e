namespace Chas.Agent;

/// <summary>
/// The node's own credential. The agent starts with the cluster's join token, trades it once for
/// this credential and uses only the credential afterwards; the server presents it when it calls
/// the agent's API (logs), so the agent knows the caller is its server.
/// </summary>
public sealed class NodeCredentialHolder
{
    public const string CredentialPrefix = "chas_node_";

    // The credential and its mark change together (once, at join): one reference, so a reader never sees them apart.
    private volatile Joined? _joined;

    public NodeCredentialHolder(AgentOptions options)
    {
        // Given a credential instead of the join token (e.g. a restarted agent's saved one): use it as is.
        if (options.Token.StartsWith(CredentialPrefix, StringComparison.Ordinal)) Credential = options.Token;
    }

    public string? Credential
    {
        get => _joined?.Credential;
        set => _joined = value is null ? null : new Joined(value, MarkOf(value));
    }

    /// <summary>
    /// Which cluster this node's containers belong to, as a label on each: two clusters sharing one engine (two
    /// `chas dev` on a machine) name their nodes alike, and each agent removed the other's containers as work it
    /// was no longer assigned. The credential is the cluster's key applied to the node's name, so its hash tells
    /// clusters apart, stays the same across restarts, and reveals nothing. Null before the node has joined.
    /// Computed once, when the credential is set: the stats loop asks for it per container every second.
    /// </summary>
    public string? ClusterMark => _joined?.Mark;

    private static string MarkOf(string credential) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(credential)))[..16];

    private sealed record Joined(string Credential, string Mark);
}
