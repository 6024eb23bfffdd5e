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
}
