using Chas.Contracts;
using Chas.Store;

namespace Chas.Server.State;

public sealed class DeploymentStore(IObjectStore store)
    : ResourceStore<DeploymentResource>(store, KindName, ChasJsonContext.Default.DeploymentResource)
{
    public const string KindName = "deployments";

    public static string Key(string ns, string name) => $"{ns}/{name}";

    protected override string KeyOf(DeploymentResource resource) => Key(resource.Namespace, resource.Name);
    protected override long VersionOf(DeploymentResource resource) => resource.ResourceVersion;
    protected override DeploymentResource WithVersion(DeploymentResource resource, long version) => resource with { ResourceVersion = version };

    public Task<DeploymentResource?> GetAsync(string ns, string name, CancellationToken ct = default) => GetByKeyAsync(Key(ns, name), ct);

    public Task<DeploymentResource?> UpdateAsync(string ns, string name, Func<DeploymentResource, DeploymentResource?> mutate, CancellationToken ct = default) =>
        UpdateByKeyAsync(Key(ns, name), mutate, ct);
}
