using Chas.Contracts;
using Chas.Store;

namespace Chas.Server.State;

public sealed class NodeStore(IObjectStore store)
    : ResourceStore<NodeResource>(store, KindName, ChasJsonContext.Default.NodeResource)
{
    public const string KindName = "nodes";

    protected override string KeyOf(NodeResource resource) => resource.Name;
    protected override long VersionOf(NodeResource resource) => resource.ResourceVersion;
    // Allocated is computed on read and never stored.
    protected override NodeResource WithVersion(NodeResource resource, long version) => resource with { ResourceVersion = version, Allocated = null };

    public Task<NodeResource?> GetAsync(string name, CancellationToken ct = default) => GetByKeyAsync(name, ct);

    public Task<NodeResource?> UpdateAsync(string name, Func<NodeResource, NodeResource?> mutate, CancellationToken ct = default) =>
        UpdateByKeyAsync(name, mutate, ct);
}
