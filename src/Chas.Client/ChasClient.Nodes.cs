using Chas.Contracts;

namespace Chas.Client;

public sealed partial class ChasClient
{
    /// <summary>Trades the cluster's join token (this client's token) for the node's own credential.</summary>
    public Task<NodeCredential> JoinNodeAsync(string node, CancellationToken ct = default) =>
        SendAsync<object?, NodeCredential>(HttpMethod.Post, $"api/v1/nodes/{Segment(node)}/join", null, null, ChasJsonContext.Default.NodeCredential, ct);
}
