using Chas.Contracts;

namespace Chas.Client;

public sealed partial class ChasClient
{
    /// <summary>Trades the cluster's join token (this client's token) for the node's own credential.</summary>
    public Task<NodeCredential> JoinNodeAsync(string node, CancellationToken ct = default) =>
        SendAsync<object?, NodeCredential>(HttpMethod.Post, $"api/v1/nodes/{Segment(node)}/join", null, null, ChasJsonContext.Default.NodeCredential, ct);

    /// <summary>Forgets a node that is gone for good (notready, nothing bound to it).</summary>
    public async Task DeleteNodeAsync(string name, CancellationToken ct = default)
    {
        using var response = await _http.DeleteAsync($"api/v1/nodes/{Segment(name)}", ct);
        await EnsureSuccessAsync(response, ct);
    }
}
