namespace Chas.Agent;

/// <summary>
/// The node's own credential. The agent starts with the cluster's join token, trades it once for
/// this credential and uses only the credential afterwards; the server presents it when it calls
/// the agent's API (logs), so the agent knows the caller is its server.
/// </summary>
public sealed class NodeCredentialHolder
{
    public const string CredentialPrefix = "chas_node_";

    private volatile string? _credential;

    public NodeCredentialHolder(AgentOptions options)
    {
        // Given a credential instead of the join token (e.g. a restarted agent's saved one): use it as is.
        if (options.Token.StartsWith(CredentialPrefix, StringComparison.Ordinal)) _credential = options.Token;
    }

    public string? Credential
    {
        get => _credential;
        set => _credential = value;
    }

    /// <summary>
    /// Which cluster this node's containers belong to, as a label on each: two clusters sharing one engine (two
    /// `chas dev` on a machine) name their nodes alike, and each agent removed the other's containers as work it
    /// was no longer assigned. The credential is the cluster's key applied to the node's name, so its hash tells
    /// clusters apart, stays the same across restarts, and reveals nothing. Null before the node has joined.
    /// </summary>
    public string? ClusterMark => _credential is { } credential
        ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(credential)))[..16]
        : null;
}
